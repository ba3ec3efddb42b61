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
            return $"The {what} '{Printable(id)}' is {id.Length} characters long; Intercom ids are at most {MaxLength}.";
        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            if (char.IsControl(c))
                return $"The {what} '{Printable(id)}' contains a control character (U+{(int)c:X4}).";
            // Invisible formatting (zero-width space, right-to-left override) makes an id look like another one.
            if (char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)
                return $"The {what} '{Printable(id)}' contains an invisible formatting character (U+{(int)c:X4}).";
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < id.Length && char.IsLowSurrogate(id[i + 1]))
                {
                    i++;
                    continue;
                }
                // A lone surrogate is not text: it cannot be put into a URL.
                return $"The {what} '{Printable(id)}' contains a lone surrogate (U+{(int)c:X4}), which is not valid Unicode.";
            }
        }
        if (id.Trim().Length != id.Length)
            return $"The {what} '{Printable(id)}' has leading or trailing white space.";
        foreach (var bad in new[] { "/", "\\", "?", "#", "%" })
        {
            if (id.Contains(bad))
                return $"The {what} '{Printable(id)}' contains '{bad}', which no Intercom id has.";
        }
        if (id == "." || id.Contains(".."))
            return $"The {what} '{Printable(id)}' contains a dot segment ('..'), which no Intercom id has.";
        return null;
    }

    /// <summary>For values that travel in a JSON body (emails, external ids): anything printable, within reason.</summary>
    public static string? LookupValueProblem(string? value, string what)
    {
        if (value is null || value.Trim().Length == 0)
            return $"The {what} is empty.";
        if (value.Length > 320)
            return $"The {what} '{Shorten(value)}' is {value.Length} characters long; at most 320 are accepted.";
        foreach (var c in value)
        {
            if (char.IsControl(c))
                return $"The {what} '{Printable(value)}' contains a control character (U+{(int)c:X4}).";
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
            return $"The {what} '{Printable(id)}' is not a number; Intercom's subscription type ids look like 108.";
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

    private static string Shorten(string value) => value.Length <= 40 ? value : value.Substring(0, 40) + "…";

    /// <summary>Shortened, with control, formatting and surrogate characters shown as \uXXXX, so a message cannot be garbled by the value it names.</summary>
    internal static string Printable(string value) => Printable(Shorten(value), int.MaxValue);

    /// <summary>
    /// Text from outside (a value, a server's message) made safe to show: control, formatting and
    /// lone surrogate characters escaped (no terminal escape sequences, no line breaks), cut at <paramref name="maxLength"/>.
    /// </summary>
    internal static string Printable(string value, int maxLength)
    {
        var builder = new System.Text.StringBuilder();
        var i = 0;
        for (; i < value.Length && builder.Length < maxLength; i++)
        {
            var c = value[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]);
            if (pair)
            {
                builder.Append(c).Append(value[++i]);
            }
            else if (char.IsControl(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)
            {
                builder.Append($"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }
        return i < value.Length ? builder.Append('…').ToString() : builder.ToString();
    }
}
