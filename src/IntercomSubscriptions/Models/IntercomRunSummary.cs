using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// What a bulk run of Add-, Remove- (or Set-) IntercomContactSubscription -Summary did, as one
/// small object: counts of input records, the cost on the wire, and the failed records' errors, so a
/// runbook writes one object instead of one per row. Counts are of records: one contact of one
/// input (a CSV row is one record; -ContactId c1,c2,c3 is three). Always
/// Received = Succeeded + Failed + Skipped + InDoubt + NotProcessed.
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

    /// <summary>How many changes in doubt <see cref="InDoubtChanges"/> names, for the same reason as <see cref="MaxErrorsKept"/>.</summary>
    public const int MaxInDoubtKept = 100;

    private readonly List<ErrorRecord> _errors = new();
    private readonly List<IntercomChangeInDoubt> _inDoubt = new();
    private readonly List<string> _notes = new();

    internal IntercomRunSummary(string command, DateTime startTime)
    {
        Command = command;
        StartTime = startTime;
        Errors = new IntercomErrorList(_errors);
        InDoubtChanges = ValueList<IntercomChangeInDoubt>.Over(_inDoubt, "; ");
        Notes = ValueList<string>.Over(_notes, " ");
    }

    public string Command { get; }
    public IntercomRunStatus Status { get; internal set; } = IntercomRunStatus.Running;

    /// <summary>Records the run acted on: Succeeded + Failed + Skipped + InDoubt.</summary>
    public long Total => Succeeded + Failed + Skipped + InDoubt;
    /// <summary>Records whose changes Intercom accepted (or that needed none).</summary>
    public long Succeeded { get; internal set; }
    /// <summary>Records that failed: Intercom refused the change, or the record could not be sent (no such contact, a bad row). Nothing was applied.</summary>
    public long Failed { get; internal set; }
    /// <summary>Records nothing was sent for on purpose: -WhatIf, No to -Confirm, a Default row, or (-Resume) a change the journal shows applied.</summary>
    public long Skipped { get; internal set; }
    /// <summary>
    /// Records whose change was sent and whose outcome is unknown: Intercom may have applied it (stopped
    /// while on the wire, no answer in time, the connection lost after sending, a 5xx). Never counted as
    /// NotProcessed; <see cref="InDoubtChanges"/> names the first of them.
    /// </summary>
    public long InDoubt { get; internal set; }
    /// <summary>Of <see cref="Skipped"/>, the records -Resume skipped because the journal shows their change applied (or a read confirmed it).</summary>
    public long AlreadyApplied { get; internal set; }
    /// <summary>Records the command received: Total + NotProcessed.</summary>
    public long Received { get; internal set; }
    /// <summary>Records received and not acted on, nothing of them sent: after -TimeLimit passed, or not yet sent when the run was stopped or ended on an error.</summary>
    public long NotProcessed => Received - Total;
    /// <summary>
    /// How many leading inputs were fully handled, in input order: every record of them Succeeded,
    /// Failed, Skipped, or in doubt with an error (which, like a failure, is in Errors and
    /// FailedRecordsPath to re-run). An input is one object piped in (a CSV row), or one value of an
    /// array given as a parameter: what <c>Select-Object -Skip</c> counts. The next job resumes with
    /// <c>Select-Object -Skip</c> this many more than this run skipped. A record not processed, or in
    /// doubt because a stop cut its answer off, ends it, so a resume sends it again (every change is
    /// idempotent).
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
    /// <summary>
    /// The first <see cref="MaxInDoubtKept"/> changes in doubt (<see cref="InDoubt"/>), each with its
    /// record as TargetObject: <c>$run.InDoubtChanges | ForEach-Object TargetObject | Add-IntercomContactSubscription …</c>
    /// settles them. The journal (-JournalPath) has every one.
    /// </summary>
    public ValueList<IntercomChangeInDoubt> InDoubtChanges { get; }

    /// <summary>The journal the run wrote (-JournalPath, or Connect-Intercom's): every change, before it was sent and after; null when none.</summary>
    public string? JournalPath { get; internal set; }

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

    internal void KeepInDoubt(IntercomChangeInDoubt change)
    {
        if (_inDoubt.Count < MaxInDoubtKept) _inDoubt.Add(change);
    }

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
        $"{Command}: {Status}, {Total} records ({Succeeded} succeeded, {Failed} failed, {Skipped} skipped, {InDoubt} in doubt) in {Elapsed:hh\\:mm\\:ss}";
}
