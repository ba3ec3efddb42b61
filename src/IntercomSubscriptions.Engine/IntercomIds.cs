namespace IntercomSubscriptions.Engine;

/// <summary>
/// Rules for the ids that go into URL paths. Intercom's ids are short tokens; anything that could
/// change which resource a path names (separators, dot segments, control characters) is refused
/// before a request is made, and what passes is still escaped.
/// </summary>
public static class IntercomIds
{
    public const int MaxLength = 128;

    /// <summary>Returns null when the id is acceptable, otherwise why not (naming the value).</summary>
    public static string? Problem(string? id, string what)
    {
        if (id is null || id.Trim().Length == 0)
            return $"The {what} is empty. Give the id Intercom assigned, for example 63a07ddf05a32042dffac965.";
        if (id.Length > MaxLength)
            return $"The {what} '{Shorten(id)}' is {id.Length} characters long; Intercom ids are at most {MaxLength}.";
        foreach (var c in id)
        {
            if (char.IsControl(c))
                return $"The {what} '{Printable(id)}' contains a control character (U+{(int)c:X4}).";
        }
        if (id.Trim().Length != id.Length)
            return $"The {what} '{id}' has leading or trailing white space.";
        foreach (var bad in new[] { "/", "\\", "?", "#", "%" })
        {
            if (id.Contains(bad))
                return $"The {what} '{id}' contains '{bad}', which no Intercom id has.";
        }
        if (id == "." || id.Contains(".."))
            return $"The {what} '{id}' contains a dot segment ('..'), which no Intercom id has.";
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

    public static string EscapeSegment(string id, string what) => Uri.EscapeDataString(Require(id, what));

    private static string Shorten(string value) => value.Length <= 40 ? value : value.Substring(0, 40) + "…";

    private static string Printable(string value)
    {
        var builder = new System.Text.StringBuilder();
        foreach (var c in Shorten(value))
            builder.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        return builder.ToString();
    }
}
