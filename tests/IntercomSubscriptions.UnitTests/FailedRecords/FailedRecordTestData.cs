using System.Collections;
using System.Management.Automation;
using System.Text;

namespace IntercomSubscriptions.UnitTests;

/// <summary>Records, their errors, and a failed-records file read back as rows of restored values.</summary>
internal static class FailedRecordTestData
{
    public static PSObject Row(params (string Column, object? Value)[] cells)
    {
        var row = new PSObject();
        foreach (var (column, value) in cells)
            row.Properties.Add(new PSNoteProperty(column, value));
        return row;
    }

    public static PSObject Table(params (string Key, object? Value)[] entries)
    {
        var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in entries) table[key] = value;
        return PSObject.AsPSObject(table);
    }

    /// <summary>The lean error of a record whose contact was not found, as the run summary keeps it.</summary>
    public static ErrorRecord NotFound(object target, string? contactKey = null) =>
        RunSummaryCollector.Lean(IntercomErrors.ToErrorRecord(
            new ContactResolutionException($"No Intercom contact has the email '{contactKey ?? "x"}'.", ambiguous: false, contactKey), target,
            $"Contact with email '{contactKey ?? "x"}', subscription type '108'"));

    /// <summary>The file as header and rows, each cell as <see cref="SpreadsheetCell.Restored"/> gives it back.</summary>
    public static (List<string> Header, List<List<string>> Rows) Read(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var rows = FailedRecordFile.ReadRows(reader).Select(row => row.Select(SpreadsheetCell.Restored).ToList()).ToList();
        return (rows[0], rows.Skip(1).ToList());
    }
}
