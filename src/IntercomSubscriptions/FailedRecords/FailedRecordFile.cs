using System.Collections;
using System.Management.Automation;
using System.Text;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// A CSV file of failed records that <c>Import-Csv</c> reads and a contact cmdlet re-runs, as often
/// as the loop goes round. Its columns are the union of the records' columns in the order first
/// seen, then <see cref="ErrorIdColumn"/> and <see cref="ErrorMessageColumn"/> (which a re-run's
/// file replaces, never repeats). Every cell is quoted and guarded against spreadsheet formulas
/// (<see cref="SpreadsheetCell"/>); UTF-8 with a byte-order mark (so Excel and Windows PowerShell
/// read accented emails right), CRLF line ends. Created readable by its owner only (<see cref="OwnerOnlyFile"/>).
/// </summary>
/// <remarks>
/// <para>A killed run still leaves a usable file: each row is written whole in one write, and a row
/// that brings a new column has the file rewritten beside it with the wider header and moved over
/// it in one step, so the file is always a header and whole rows under it. A write that fails (a
/// full disk) is cut back to the last whole row before the error goes on.</para>
/// <para>Rewrites copy the file, once per record shape (all rows of one Import-Csv share one); past
/// <see cref="MaxRecordColumns"/> columns, further new columns are left out rather than rewritten for.</para>
/// </remarks>
internal sealed class FailedRecordFile : IDisposable
{
    public const string ErrorIdColumn = "IntercomErrorId";
    public const string ErrorMessageColumn = "IntercomErrorMessage";
    public const int MaxRecordColumns = 500;

    private static readonly Encoding Text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    private static readonly byte[] ByteOrderMark = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true).GetPreamble();

    private readonly List<string> _columns = new();
    private readonly Dictionary<string, int> _columnIndex = new(StringComparer.OrdinalIgnoreCase);
    private FileStream _stream;
    // The length of the header and the whole rows under it: what a failed write is cut back to.
    private long _whole;
    private bool _disposed;

    private FailedRecordFile(string path)
    {
        Path = path;
        _stream = ReplaceWith(Array.Empty<IReadOnlyList<string>>());
        _whole = _stream.Length;
    }

    public string Path { get; }

    /// <summary>Rows written.</summary>
    public long Rows { get; private set; }

    /// <summary>The first column left out for being past <see cref="MaxRecordColumns"/>; null when none was.</summary>
    public string? FirstColumnLeftOut { get; private set; }

    /// <summary>A new file at <paramref name="path"/> (replacing what was there), with only the error columns until rows come.</summary>
    public static FailedRecordFile Create(string path) => new(path);

    /// <summary>Whether <paramref name="record"/> is a row of one of these files (it has the <see cref="ErrorIdColumn"/>): its cells are guarded.</summary>
    public static bool IsFileRow(PSObject? record) => record?.BaseObject switch
    {
        null => false,
        IDictionary dictionary => dictionary.Keys.Cast<object?>().Any(key => string.Equals(key?.ToString(), ErrorIdColumn, StringComparison.OrdinalIgnoreCase)),
        _ => record.Properties[ErrorIdColumn] is not null,
    };

    /// <summary>Whether <paramref name="column"/> is one of the file's own error columns.</summary>
    public static bool IsErrorColumn(string column) =>
        string.Equals(column, ErrorIdColumn, StringComparison.OrdinalIgnoreCase) || string.Equals(column, ErrorMessageColumn, StringComparison.OrdinalIgnoreCase);

    /// <summary>Adds one row, widening the header (a rewrite) when it brings a column the file does not have.</summary>
    public void Write(FailedRecordRow row)
    {
        var before = _columns.Count;
        foreach (var cell in row.Cells)
        {
            if (_columnIndex.ContainsKey(cell.Key)) continue;
            if (_columns.Count == MaxRecordColumns)
            {
                FirstColumnLeftOut ??= cell.Key;
                continue;
            }
            _columnIndex[cell.Key] = _columns.Count;
            _columns.Add(cell.Key);
        }
        if (_columns.Count > before)
            Widen(before);

        var values = new string[_columns.Count + 2];
        foreach (var cell in row.Cells)
        {
            // Two keys that differ only in case (a case-sensitive dictionary) share a column: the first with a value fills it.
            if (_columnIndex.TryGetValue(cell.Key, out var index) && string.IsNullOrEmpty(values[index]) && cell.Value is not null)
                values[index] = SpreadsheetCell.Neutralised(cell.Value);
        }
        values[_columns.Count] = SpreadsheetCell.Neutralised(row.ErrorId);
        values[_columns.Count + 1] = SpreadsheetCell.Neutralised(row.ErrorMessage);
        Append(Line(values));
        Rows++;
    }

    /// <summary>Closes the file (once; a run's end and its disposal both close it).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try { _stream.Flush(flushToDisk: true); }
        catch (IOException) { } // what could be written is written; closing must not fail the run
        _stream.Dispose();
    }

    private List<string> Header() =>
        _columns.Select(SpreadsheetCell.Neutralised).Append(ErrorIdColumn).Append(ErrorMessageColumn).ToList();

    private void Append(string line)
    {
        var bytes = Text.GetBytes(line);
        try
        {
            _stream.Write(bytes, 0, bytes.Length);
            _stream.Flush();
            _whole += bytes.Length;
        }
        catch (IOException)
        {
            // A row cut off by a full disk would be read back as a wrong contact: the file ends at the last whole row.
            try { _stream.SetLength(_whole); }
            catch (IOException) { }
            throw;
        }
    }

    /// <summary>Rewrites the file with the wider header; the rows gain empty cells for the new columns, before the error columns.</summary>
    private void Widen(int recordColumnsBefore)
    {
        var added = _columns.Count - recordColumnsBefore;
        FileStream wider;
        using (var reader = new StreamReader(new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), Text))
        {
            wider = ReplaceWith(ReadRows(reader).Skip(1).Select(old =>
                (IReadOnlyList<string>)old.Take(recordColumnsBefore).Concat(Enumerable.Repeat("", added)).Concat(old.Skip(recordColumnsBefore)).ToList()));
        }
        _stream.Dispose();
        _stream = wider;
        _whole = _stream.Length;
    }

    /// <summary>
    /// The file made anew, with the header and <paramref name="rows"/>: written beside it (owner-only),
    /// then moved over it in one step, so that a run killed meanwhile leaves the old file whole, and a
    /// file of that name from before (an earlier run's, anyone's permissions) is gone at once. Returns
    /// the new file, open for the rows to come.
    /// </summary>
    private FileStream ReplaceWith(IEnumerable<IReadOnlyList<string>> rows)
    {
        var beside = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path) ?? ".",
            $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid().ToString("N").Substring(0, 8)}.tmp");
        FileStream? stream = null;
        try
        {
            stream = WriteNew(beside, rows);
            OwnerOnlyFile.MoveOver(beside, Path);
            return stream;
        }
        catch
        {
            stream?.Dispose();
            try { File.Delete(beside); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>A new owner-only file holding the header and <paramref name="rows"/> (cells as the file holds them).</summary>
    private FileStream WriteNew(string path, IEnumerable<IReadOnlyList<string>> rows)
    {
        // Shared for reading and deleting: a wider header has the file read back while it is open, and moved over.
        var stream = OwnerOnlyFile.CreateNew(path, FileShare.Read | FileShare.Delete);
        try
        {
            stream.Write(ByteOrderMark, 0, ByteOrderMark.Length);
            // The stream itself is unbuffered (one write per row later); the copy goes through the writer's buffer.
            using (var writer = new StreamWriter(stream, Text, 64 * 1024, leaveOpen: true))
            {
                writer.Write(Line(Header()));
                foreach (var row in rows) writer.Write(Line(row));
            }
            stream.Flush();
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static string Line(IReadOnlyList<string?> cells)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0) line.Append(',');
            line.Append('"').Append((cells[i] ?? "").Replace("\"", "\"\"")).Append('"');
        }
        return line.Append("\r\n").ToString();
    }

    /// <summary>
    /// The rows of a file this class wrote: every cell quoted, rows ended by a line break outside
    /// quotes. A last row without its line break (a write cut off) is not a row.
    /// </summary>
    internal static IEnumerable<List<string>> ReadRows(TextReader reader)
    {
        var cell = new StringBuilder();
        var cells = new List<string>();
        var quoted = false;
        int read;
        while ((read = reader.Read()) != -1)
        {
            var c = (char)read;
            if (quoted)
            {
                if (c != '"') cell.Append(c);
                else if (reader.Peek() == '"') cell.Append((char)reader.Read());
                else quoted = false;
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; break;
                case ',': cells.Add(cell.ToString()); cell.Clear(); break;
                case '\r': break;
                case '\n':
                    cells.Add(cell.ToString());
                    cell.Clear();
                    yield return cells;
                    cells = new List<string>();
                    break;
                default: cell.Append(c); break;
            }
        }
    }
}
