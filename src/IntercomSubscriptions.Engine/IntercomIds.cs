namespace IntercomSubscriptions.Engine;

/// <summary>
/// Rules for the ids that go into URL paths. Intercom's ids are short tokens; anything that could
/// change which resource a path names (separators, dot segments, control characters) is refused
/// before a request is made, and what passes is still escaped.
/// </summary>
internal static class IntercomIds
{
    public const int MaxLength = 128;

    /// <summary>Returns null when the id is acceptable, otherwise why not (naming the value).</summary>
    public static string? Problem(string? id, string what)
    {
        if (id is null || id.Trim().Length == 0)
            return $"The {what} is empty. Give the id Intercom assigned, for example 63a07ddf05a32042dffac965.";
        if (id.Length > MaxLength)
            return $"The {what} '{PrintableText.Shortened(id)}' is {id.Length} characters long; Intercom ids are at most {MaxLength}.";
        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            if (char.IsControl(c))
                return $"The {what} '{PrintableText.Shortened(id)}' contains a control character (U+{(int)c:X4}).";
            // Invisible formatting (zero-width space, right-to-left override) makes an id look like another one.
            if (char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)
                return $"The {what} '{PrintableText.Shortened(id)}' contains an invisible formatting character (U+{(int)c:X4}).";
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < id.Length && char.IsLowSurrogate(id[i + 1]))
                {
                    i++;
                    continue;
                }
                // A lone surrogate is not text: it cannot be put into a URL.
                return $"The {what} '{PrintableText.Shortened(id)}' contains a lone surrogate (U+{(int)c:X4}), which is not valid Unicode.";
            }
        }
        if (id.Trim().Length != id.Length)
            return $"The {what} '{PrintableText.Shortened(id)}' has leading or trailing white space.";
        foreach (var bad in new[] { "/", "\\", "?", "#", "%" })
        {
            if (id.Contains(bad))
                return $"The {what} '{PrintableText.Shortened(id)}' contains '{bad}', which no Intercom id has.";
        }
        if (id == "." || id.Contains(".."))
            return $"The {what} '{PrintableText.Shortened(id)}' contains a dot segment ('..'), which no Intercom id has.";
        return null;
    }

    /// <summary>For values that travel in a JSON body (emails, external ids): anything printable, within reason.</summary>
    public static string? LookupValueProblem(string? value, string what)
    {
        if (value is null || value.Trim().Length == 0)
            return $"The {what} is empty.";
        if (value.Length > 320)
            return $"The {what} '{PrintableText.Shortened(value)}' is {value.Length} characters long; at most 320 are accepted.";
        foreach (var c in value)
        {
            if (char.IsControl(c))
                return $"The {what} '{PrintableText.Shortened(value)}' contains a control character (U+{(int)c:X4}).";
        }
        return null;
    }

    public static string Require(string? id, string what)
    {
        var problem = Problem(id, what);
        if (problem is not null)
            throw new ArgumentException(problem);
        return id!;
    }

    /// <summary>
    /// Subscription type ids are numbers ("108"); a name or anything else given as an id is refused
    /// before a request, with a hint, rather than sent to come back as a 404.
    /// </summary>
    public static string? SubscriptionTypeIdProblem(string? id)
    {
        const string what = "subscription type id";
        var problem = Problem(id, what);
        if (problem is not null) return problem;
        if (id!.Length > 20 || id.Any(c => c is < '0' or > '9'))
            return $"The {what} '{PrintableText.Shortened(id)}' is not a number; Intercom's subscription type ids look like 108.";
        return null;
    }

    public static string RequireSubscriptionTypeId(string? id)
    {
        var problem = SubscriptionTypeIdProblem(id);
        if (problem is not null)
            throw new ArgumentException(problem);
        return id!;
    }

    public static string EscapeSegment(string id, string what) => Uri.EscapeDataString(Require(id, what));
}
