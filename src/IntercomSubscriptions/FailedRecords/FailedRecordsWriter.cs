using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Where a bulk run's failed records go besides its summary, and when: to the file
/// -FailedRecordsPath names, from the start of the run (replacing what is there, so a fixed name
/// never holds an earlier run's rows) and every failed record; otherwise to a file in the module's
/// own folder in the temp directory (<see cref="DefaultFolder"/>), once more records failed than
/// the summary keeps, with every failed record, the kept ones too. Files in that folder are kept
/// for <see cref="KeptFor"/>: the next run that writes one there removes older ones.
/// </summary>
/// <remarks>
/// A file that cannot be written (a folder that is not there or not writable, a full disk) never
/// ends the run: the run goes on, a warning and a note in the summary say what happened, and the
/// summary's Errors still keep the first failed records. Runs on the pipeline thread.
/// </remarks>
internal sealed class FailedRecordsWriter : IDisposable
{
    /// <summary>How long a file in <see cref="DefaultFolder"/> is kept.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(7);

    private readonly string _command;
    private readonly string? _chosenPath;
    private readonly string _folder;
    private readonly FailedRecordRows _rows;
    private readonly Action<string> _warn;
    private readonly Func<DateTime> _utcNow;
    private IntercomRunSummary? _summary;
    private FailedRecordFile? _file;
    private bool _broken;
    private bool _closed;
    private bool _toldColumnsLeftOut;

    /// <param name="command">The cmdlet's name, which starts the file's name in the folder.</param>
    /// <param name="chosenPath">-FailedRecordsPath as a file system path; null for the module's folder.</param>
    /// <param name="warn">Writes a warning (the cmdlet's WriteWarning).</param>
    /// <param name="folder">The module's folder (<see cref="DefaultFolder"/>; another in tests).</param>
    /// <param name="utcNow">The time, for what <see cref="KeptFor"/> has expired.</param>
    public FailedRecordsWriter(string command, string? chosenPath, FailedRecordRows rows, Action<string> warn,
        string? folder = null, Func<DateTime>? utcNow = null)
    {
        _command = command;
        _chosenPath = chosenPath;
        _folder = folder ?? DefaultFolder;
        _rows = rows;
        _warn = warn;
        _utcNow = utcNow ?? (() => DateTime.UtcNow);
    }

    /// <summary>
    /// The module's folder for failed-records files: IntercomSubscriptions-&lt;user name&gt; in the temp
    /// directory ($env:TMPDIR or /tmp; $env:TEMP on Windows), one per account, readable by it only.
    /// </summary>
    public static string DefaultFolder => Path.Combine(Path.GetTempPath(), "IntercomSubscriptions-" + SafeName(Environment.UserName));

    /// <summary>Begins the run's part: a chosen file is created now, so that a path that cannot be written is said at once.</summary>
    public void Start(IntercomRunSummary summary)
    {
        _summary = summary;
        if (_chosenPath is not null)
            Open(_chosenPath);
    }

    /// <summary>A failed record's lean error; <paramref name="keptInSummary"/> when the summary's Errors took it.</summary>
    public void Add(ErrorRecord lean, bool keptInSummary)
    {
        if (_broken || _closed || _summary is null) return;
        if (_file is null)
        {
            if (_chosenPath is not null || keptInSummary) return;
            if (!OpenInFolder()) return;
            // The kept errors go in the file too, so that one file re-runs every failed record.
            foreach (var kept in _summary.Errors)
            {
                if (!Write(kept)) return;
            }
        }
        Write(lean);
    }

    /// <summary>Closes the file: the run has ended (or was disposed before it could end).</summary>
    public void Dispose()
    {
        _closed = true;
        _file?.Dispose();
    }

    private bool OpenInFolder()
    {
        try
        {
            OwnerOnlyFile.EnsureFolder(_folder);
        }
        catch (Exception ex) when (IsFileProblem(ex))
        {
            Broken($"Could not write the failed records to the folder '{_folder}': {ex.Message}");
            return false;
        }
        RemoveExpired();
        var name = $"{_command}-failed-{DateTime.Now:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N").Substring(0, 6)}.csv";
        return Open(Path.Combine(_folder, name));
    }

    private bool Open(string path)
    {
        try
        {
            _file = FailedRecordFile.Create(path);
            _summary!.FailedRecordsPath = path;
            return true;
        }
        catch (Exception ex) when (IsFileProblem(ex))
        {
            Broken($"Could not write the failed records to '{path}': {ex.Message}");
            return false;
        }
    }

    private bool Write(ErrorRecord error)
    {
        var file = _file!;
        try
        {
            foreach (var row in _rows.Of(error))
                file.Write(row);
        }
        catch (Exception ex) when (IsFileProblem(ex))
        {
            Broken($"Could not write more failed records to '{file.Path}' ({ex.Message}); it holds the first {file.Rows:N0}.");
            return false;
        }
        if (file.FirstColumnLeftOut is { } leftOut && !_toldColumnsLeftOut)
        {
            _toldColumnsLeftOut = true;
            Tell($"The failed records have more than {FailedRecordFile.MaxRecordColumns} different columns; '{file.Path}' leaves out the columns after that, from '{leftOut}' on.");
        }
        return true;
    }

    private void Broken(string what)
    {
        _broken = true;
        _file?.Dispose();
        Tell(what + $" The run goes on; the summary's Errors keep the first {IntercomRunSummary.MaxErrorsKept} failed records, and ErrorsNotKept counts the others.");
    }

    private void Tell(string note)
    {
        _summary!.AddNote(note);
        _warn(note);
    }

    /// <summary>Removes the module's own files in the folder that are older than <see cref="KeptFor"/> (best effort: a file in use stays).</summary>
    private void RemoveExpired()
    {
        var expired = _utcNow() - KeptFor;
        try
        {
            foreach (var path in Directory.EnumerateFiles(_folder))
            {
                var name = Path.GetFileName(path);
                var ours = name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) && name.Contains("-failed-")
                    || name.StartsWith(".", StringComparison.Ordinal) && name.EndsWith(".tmp", StringComparison.Ordinal);
                if (!ours) continue;
                try
                {
                    var file = new FileInfo(path);
                    if ((file.Attributes & FileAttributes.ReparsePoint) == 0 && file.LastWriteTimeUtc < expired)
                        file.Delete();
                }
                catch (Exception ex) when (IsFileProblem(ex))
                {
                }
            }
        }
        catch (Exception ex) when (IsFileProblem(ex))
        {
        }
    }

    private static bool IsFileProblem(Exception ex) =>
        ex is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException
            // The C library or Win32 call not there (an unusual platform): no private file can be made.
            or DllNotFoundException or EntryPointNotFoundException;

    private static string SafeName(string name)
    {
        var safe = new string(name.Select(c => char.IsLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_').ToArray());
        return safe.Length == 0 ? "user" : safe;
    }
}
