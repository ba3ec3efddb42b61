using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// What a bulk run of Add-, Remove- (or Set-) IntercomContactSubscription -Summary did, as one
/// small object: counts of input records, the cost on the wire, and the failed records' errors, so a
/// runbook writes one object instead of one per row. Counts are of input records (a CSV row; one
/// invocation when contacts are given as parameters).
/// </summary>
public sealed class IntercomRunSummary
{
    /// <summary>
    /// How many errors <see cref="Errors"/> keeps. Serialised (as a runbook's output is), an
    /// ErrorRecord with its input row takes about 2 KB however lean: a hundred keep the summary near
    /// 250 KB, well inside the 1 MB an Azure Automation job stream may hold. Beyond them every
    /// failed record is in the file <see cref="FailedRecordsPath"/> names.
    /// </summary>
    public const int MaxErrorsKept = 100;

    private readonly List<ErrorRecord> _errors = new();
    private readonly List<string> _notes = new();

    internal IntercomRunSummary(string command, DateTime startTime)
    {
        Command = command;
        StartTime = startTime;
        Errors = new IntercomErrorList(_errors);
        Notes = ValueList<string>.Over(_notes, " ");
    }

    public string Command { get; }
    public IntercomRunStatus Status { get; internal set; } = IntercomRunStatus.Running;

    /// <summary>Input records handled: Succeeded + Failed + Skipped.</summary>
    public long Total => Succeeded + Failed + Skipped;
    public long Succeeded { get; internal set; }
    public long Failed { get; internal set; }
    /// <summary>Records nothing was sent for on purpose: -WhatIf, or No to -Confirm.</summary>
    public long Skipped { get; internal set; }
    /// <summary>Input records the command received: Total + NotProcessed.</summary>
    public long Received { get; internal set; }
    /// <summary>Records received but not handled: after -TimeLimit passed, or in flight when the run was stopped or failed.</summary>
    public long NotProcessed => Received - Total;
    /// <summary>
    /// How many leading input records were fully handled, in input order: the next job resumes with
    /// <c>Select-Object -Skip</c> this many (on top of what earlier jobs handled).
    /// </summary>
    public long Handled { get; internal set; }

    public DateTime StartTime { get; }
    public TimeSpan Elapsed { get; internal set; }
    /// <summary>HTTP requests sent (each retry is one more).</summary>
    public long Requests { get; internal set; }
    /// <summary>Requests sent again after their attempt failed (a 429, a 5xx, a timeout, a dropped connection, an answer cut off).</summary>
    public long Retries { get; internal set; }
    /// <summary>
    /// How often Intercom answered 429 (too many requests): the window was spent, by this run or by
    /// another client of the same app. Not the module's own pacing: see <see cref="PacingWaits"/>.
    /// </summary>
    public long RateLimitWaits { get; internal set; }
    /// <summary>
    /// How often the module held the run's requests back for the rate limit before sending them (a
    /// window spent, Intercom's Retry-After, or room left for the app's other clients), so that Intercom
    /// did not have to answer 429: the "waiting 4.8 s" lines of -Verbose. Requests held together count as one wait.
    /// </summary>
    public long PacingWaits { get; internal set; }
    /// <summary>How long the run's requests were held back for the rate limit in all (see <see cref="PacingWaits"/>).</summary>
    public TimeSpan PacingWaitTime { get; internal set; }
    public double RecordsPerSecond => Elapsed.TotalSeconds <= 0 ? 0 : Math.Round(Total / Elapsed.TotalSeconds, 1);

    /// <summary>
    /// The error of each failed record (the first <see cref="MaxErrorsKept"/>), kept lean: the error id,
    /// category and message, and the input record as TargetObject, so that
    /// <c>$run.Errors.TargetObject | Add-IntercomContactSubscription …</c> re-runs them.
    /// </summary>
    public IntercomErrorList Errors { get; }
    /// <summary>Errors beyond <see cref="MaxErrorsKept"/>: not in <see cref="Errors"/>, but in the file <see cref="FailedRecordsPath"/>.</summary>
    public long ErrorsNotKept { get; internal set; }

    /// <summary>
    /// The CSV file of every failed record (readable by its owner only): the file -FailedRecordsPath
    /// named, always written (with no rows when none failed); without it, a file in the module's folder
    /// in the temp directory, written once more records failed than <see cref="Errors"/> keeps, and
    /// kept there for 7 days. Its columns are the records' own (their union, in the order first seen)
    /// and IntercomErrorId and IntercomErrorMessage; <c>Import-Csv $run.FailedRecordsPath |
    /// Add-IntercomContactSubscription …</c> re-runs them all, and so does the same line on that
    /// run's file. Null when there is no file (or it could not be created: <see cref="Notes"/> says why).
    /// </summary>
    public string? FailedRecordsPath { get; internal set; }

    /// <summary>
    /// What the run wants you to know that is not a count: the failed-records file could not be
    /// written (and why), or left columns out. Each note was also a warning. Empty when all went well.
    /// </summary>
    public ValueList<string> Notes { get; }

    internal void AddNote(string note) => _notes.Add(note);

    internal bool Keep(ErrorRecord error)
    {
        if (_errors.Count < MaxErrorsKept)
        {
            _errors.Add(error);
            return true;
        }
        ErrorsNotKept++;
        return false;
    }

    public override string ToString() =>
        $"{Command}: {Status}, {Total} records ({Succeeded} succeeded, {Failed} failed, {Skipped} skipped) in {Elapsed:hh\\:mm\\:ss}";
}
