using System.Collections;
using System.Globalization;
using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// A value as a record's cell (or a parameter) gives it: trimmed of white space and invisible
/// characters, and absent when nothing is left, so that an empty CSV cell never counts as a value.
/// </summary>
internal static class CellValue
{
    /// <summary>The value without surrounding white space or invisible characters; null when nothing is left.</summary>
    public static string? Clean(string? value)
    {
        if (value is null) return null;
        int start = 0, end = value.Length;
        while (start < end && IsPadding(value[start])) start++;
        while (end > start && IsPadding(value[end - 1])) end--;
        return start == end ? null : value.Substring(start, end - start);
    }

    /// <summary>The non-empty values, cleaned; null when none is left.</summary>
    public static string[]? Clean(IEnumerable<string?>? values)
    {
        if (values is null) return null;
        List<string>? kept = null;
        foreach (var value in values)
        {
            if (Clean(value) is { } clean) (kept ??= new List<string>()).Add(clean);
        }
        return kept?.ToArray();
    }

    /// <summary>Whatever a cell or a bound parameter holds (text, a number, an array), as cleaned text values; null when none.</summary>
    public static string[]? Values(object? value) => value switch
    {
        null => null,
        PSObject wrapped => Values(wrapped.BaseObject),
        string text => Clean(text) is { } one ? new[] { one } : null,
        string?[] texts => Clean(texts),
        IEnumerable many => Clean(many.Cast<object?>().Select(Text)),
        _ => Clean(Text(value)) is { } one ? new[] { one } : null,
    };

    /// <summary>
    /// Like <see cref="Values(object?)"/>, for a cell of a row of the module's failed-records files:
    /// each text is first restored (<see cref="SpreadsheetCell.Restored"/>), so that a value the file
    /// guarded against spreadsheet formulas is the value it was.
    /// </summary>
    public static string[]? RestoredValues(object? value) => value switch
    {
        null => null,
        PSObject wrapped => RestoredValues(wrapped.BaseObject),
        string text => Clean(SpreadsheetCell.Restored(text)) is { } one ? new[] { one } : null,
        IEnumerable many => Clean(many.Cast<object?>().Select(item => Text(item) is { } text ? SpreadsheetCell.Restored(text) : null)),
        _ => Values(value),
    };

    /// <summary>
    /// A value as one cell's text, exactly (not cleaned): a list whose own text is only its type name
    /// (an array) as its items joined by ", ". What a file of records writes.
    /// </summary>
    public static string? AsText(object? value) => value switch
    {
        PSObject wrapped => AsText(wrapped.BaseObject),
        string text => text,
        IEnumerable many when value.ToString() == value.GetType().ToString() => string.Join(", ", many.Cast<object?>().Select(Text)),
        _ => Text(value),
    };

    /// <summary>A name with its invisible characters removed and its surrounding white space trimmed: what a header says to a reader.</summary>
    public static string Visible(string name)
    {
        var kept = new System.Text.StringBuilder(name.Length);
        foreach (var c in name)
            if (!IsInvisible(c)) kept.Append(c);
        return kept.ToString().Trim();
    }

    /// <summary>A name as an error shows it: invisible characters escaped (\uFEFF), so that one stuck to a header can be seen.</summary>
    public static string Escaped(string name) => string.Concat(name.Select(c => IsInvisible(c) ? $"\\u{(int)c:X4}" : c.ToString()));

    private static string? Text(object? value) => value switch
    {
        null => null,
        PSObject wrapped => Text(wrapped.BaseObject),
        string text => text,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static bool IsInvisible(char c) => char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format;

    private static bool IsPadding(char c) => char.IsWhiteSpace(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format;
}
