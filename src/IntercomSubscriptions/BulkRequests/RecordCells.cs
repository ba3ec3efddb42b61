using System.Collections;
using System.Globalization;
using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// The cells of one pipeline record, by column name as people write them: case, spaces, '_' and '-'
/// do not matter, and invisible characters stuck to a header (an Excel export's byte-order mark) are
/// ignored, so "Email Address", "E-mail" and "\uFEFFcontact_id" are found. PowerShell binds by
/// property name only through a parameter's aliases; this is how the rest is read. A hashtable row
/// is read by its keys. Empty and white-space cells are absent values; values are trimmed.
/// </summary>
internal sealed class RecordCells
{
    private static readonly RecordCells None = new(new Dictionary<string, object?>());
    private readonly Dictionary<string, object?> _cells;

    private RecordCells(Dictionary<string, object?> cells) => _cells = cells;

    public static RecordCells Of(PSObject? record)
    {
        if (record is null || record.BaseObject is string) return None;
        var cells = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (record.BaseObject is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
                Add(cells, entry.Key?.ToString(), entry.Value);
        }
        else
        {
            foreach (var property in record.Properties)
            {
                object? value;
                try { value = property.Value; }
                catch (GetValueException) { continue; } // a property whose getter throws is not a cell
                Add(cells, property.Name, value);
            }
        }
        return new RecordCells(cells);
    }

    /// <summary>A column's name reduced to what tells it apart: lower case, no spaces, '_', '-', control or invisible characters.</summary>
    public static string NormaliseName(string name)
    {
        var kept = new System.Text.StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (c is '_' or '-' || char.IsWhiteSpace(c) || char.IsControl(c)
                || char.GetUnicodeCategory(c) == UnicodeCategory.Format)
                continue;
            kept.Append(char.ToLowerInvariant(c));
        }
        return kept.ToString();
    }

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
    public static string[]? Clean(string[]? values)
    {
        var kept = values?.Select(Clean).Where(v => v is not null).Select(v => v!).ToArray();
        return kept is { Length: > 0 } ? kept : null;
    }

    /// <summary>The first non-empty cell among the (normalised) column names.</summary>
    public string? Single(params string[] names)
    {
        foreach (var name in names)
        {
            if (_cells.TryGetValue(name, out var value) && Clean(Text(value)) is { } text)
                return text;
        }
        return null;
    }

    /// <summary>Like <see cref="Single"/>, as the array a parameter would have bound.</summary>
    public string[]? Many(params string[] names) => Single(names) is { } value ? new[] { value } : null;

    public bool Has(string name) => _cells.ContainsKey(name);

    private static void Add(Dictionary<string, object?> cells, string? name, object? value)
    {
        if (name is null) return;
        var key = NormaliseName(name);
        // The first column wins when two normalise alike, as PowerShell's own binding would take one.
        if (key.Length > 0 && !cells.ContainsKey(key))
            cells[key] = value;
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        PSObject wrapped => Text(wrapped.BaseObject),
        string text => text,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static bool IsPadding(char c) =>
        char.IsWhiteSpace(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format;
}
