using System.Management.Automation;
using System.Text;

namespace IntercomSubscriptions;

/// <summary>
/// A CSV file of failed input records, for runs with more failures than a summary keeps: the
/// record's columns (those of the first failed record) plus ErrorId and ErrorMessage, so that
/// <c>Import-Csv $run.FailedRecordsPath | Add-IntercomContactSubscription …</c> re-runs them all. A
/// record that is not a row (a contact id given as a parameter) goes in a Target column.
/// </summary>
internal sealed class FailedRecordFile : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly string[] _columns;

    private FailedRecordFile(string path, string[] columns)
    {
        Path = path;
        _columns = columns;
        // Flushed line by line: a stopped run never closes it, and what it holds must be whole.
        _writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = true };
        WriteLine(columns.Append("ErrorId").Append("ErrorMessage"));
    }

    public string Path { get; }

    /// <summary>A new file in <paramref name="directory"/>, its columns taken from <paramref name="first"/>'s record.</summary>
    public static FailedRecordFile Create(string directory, string command, ErrorRecord first)
    {
        var name = $"{command}-failed-{DateTime.Now:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N").Substring(0, 6)}.csv";
        return new FailedRecordFile(System.IO.Path.Combine(directory, name), ColumnsOf(first.TargetObject));
    }

    public void Write(ErrorRecord error)
    {
        var values = error.TargetObject is PSObject { BaseObject: PSCustomObject } row
            ? _columns.Select(column => row.Properties[column]?.Value?.ToString())
            : _columns.Select(column => column == "Target" ? error.TargetObject?.ToString() : null);
        WriteLine(values.Append(error.FullyQualifiedErrorId).Append(error.Exception.Message));
    }

    private static string[] ColumnsOf(object? target) =>
        target is PSObject { BaseObject: PSCustomObject } row ? row.Properties.Select(p => p.Name).ToArray() : new[] { "Target" };

    private void WriteLine(IEnumerable<string?> fields) =>
        _writer.WriteLine(string.Join(",", fields.Select(field => "\"" + (field ?? "").Replace("\"", "\"\"") + "\"")));

    public void Dispose() => _writer.Dispose();
}
