using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Keeps the <see cref="IntercomRunSummary"/> of one bulk run up to date: each input record is a
/// <see cref="RecordTicket"/> that finishes as succeeded, failed or skipped once every request it
/// made is handed back; errors are kept lean and bounded; the -TimeLimit is checked before each
/// record. Runs on the pipeline thread only, except <see cref="MarkStopped"/>.
/// </summary>
internal sealed class RunSummaryCollector : IDisposable
{
    private readonly Func<TimeSpan> _elapsed;
    private readonly TimeSpan? _timeLimit;
    private readonly Queue<RecordTicket> _unfinished = new();
    private readonly object _snapshot = new();
    private bool _finished;
    private RecordTicket? _current;
    private readonly FailedRecordsWriter? _failedRecords;
    private readonly bool _keepErrors;

    /// <param name="elapsed">Time since the run began (a Stopwatch; a fake clock in tests).</param>
    /// <param name="timeLimit">After it, records are no longer processed (-TimeLimit).</param>
    /// <param name="failedRecords">Where failed records are written besides the summary (the run owns it from now on); null for nowhere.</param>
    /// <param name="keepErrors">Whether anyone will see the summary (-Summary, -SummaryVariable); if not, errors are only counted (and written to a file -FailedRecordsPath chose).</param>
    /// <param name="counts">What the engine counts for the run's calls (the cmdlet's event sink's); a fresh one when null.</param>
    public RunSummaryCollector(string command, Func<TimeSpan> elapsed, TimeSpan? timeLimit, FailedRecordsWriter? failedRecords = null, bool keepErrors = true,
        RequestCounts? counts = null)
    {
        _keepErrors = keepErrors;
        _elapsed = elapsed;
        _timeLimit = timeLimit;
        Counts = counts ?? new RequestCounts();
        Summary = new IntercomRunSummary(command, DateTime.Now);
        _failedRecords = failedRecords;
        _failedRecords?.Start(Summary);
    }

    public IntercomRunSummary Summary { get; }

    /// <summary>Time since the run began.</summary>
    public TimeSpan Elapsed => _elapsed();

    /// <summary>What the run's requests cost on the wire, as the engine counted them for the run's event sink.</summary>
    public RequestCounts Counts { get; }

    public bool TimeLimitReached { get; private set; }

    /// <summary>The ticket of the record being processed now.</summary>
    public RecordTicket Current => _current ??= Open();

    /// <summary>Starts the next input record; false when -TimeLimit has passed, and then the record is only counted as not processed.</summary>
    public bool BeginRecord()
    {
        EndRecord();
        if (TimeLimitReached || _timeLimit is { } limit && _elapsed() >= limit)
        {
            TimeLimitReached = true;
            Summary.Received++;
            return false;
        }
        _current = Open();
        return true;
    }

    /// <summary>The record's own processing is over; it is finished once its requests are handed back.</summary>
    public void EndRecord()
    {
        if (_current is null) return;
        if (_current.ProcessingDone()) Count(_current);
        _current = null;
    }

    /// <summary>An error for <paramref name="ticket"/> (the current record when null): counts it and keeps a lean copy.</summary>
    public void Failed(ErrorRecord error, RecordTicket? ticket = null)
    {
        (ticket ?? Current).Report(RecordState.Failed);
        if (!_keepErrors && _failedRecords is null) return;
        var lean = Lean(error);
        var kept = _keepErrors && Summary.Keep(lean);
        _failedRecords?.Add(lean, kept);
    }

    /// <summary>A request of <paramref name="ticket"/> came back, with its <paramref name="error"/> when it failed.</summary>
    public void RequestDone(RecordTicket ticket, bool succeeded, ErrorRecord? error = null)
    {
        if (error is not null) Failed(error, ticket);
        if (succeeded) ticket.Report(RecordState.Succeeded);
        if (ticket.RequestDone()) Count(ticket);
    }

    /// <summary>Ends the run: records still open are counted as not processed; the elapsed time and wire counts are taken. The first call wins.</summary>
    public IntercomRunSummary Finish(IntercomRunStatus status)
    {
        if (_finished) return Summary;
        // A stop (Ctrl+C) can land while the record being processed waits to send its request: it
        // was not processed, and closing it would count it as skipped (and Handled would pass it).
        if (status == IntercomRunStatus.Stopped && _current is { IsUntouched: true })
            _current = null;
        EndRecord();
        _finished = true;
        _failedRecords?.Dispose();
        lock (_snapshot)
        {
            Summary.Status = Summary.Status == IntercomRunStatus.Stopped ? IntercomRunStatus.Stopped
                : status == IntercomRunStatus.Completed && TimeLimitReached ? IntercomRunStatus.TimeLimitReached
                : status;
            Snapshot();
        }
        return Summary;
    }

    /// <summary>Closes the file of failed records, for a run that never reached <see cref="Finish"/>.</summary>
    public void Dispose() => _failedRecords?.Dispose();

    /// <summary>
    /// Called from the thread that stops the pipeline (Ctrl+C): PowerShell allows no more writes, and
    /// the pipeline thread may be outside this module's code when the stop lands (in the command
    /// before it), so it may never come back: the summary (in -SummaryVariable) is ended here.
    /// </summary>
    public void MarkStopped()
    {
        lock (_snapshot)
        {
            if (_finished || Summary.Status != IntercomRunStatus.Running) return;
            Summary.Status = IntercomRunStatus.Stopped;
            Snapshot();
        }
    }

    private void Snapshot()
    {
        Summary.Elapsed = _elapsed();
        Summary.Requests = Counts.Requests;
        Summary.Retries = Counts.Retries;
        Summary.RateLimitWaits = Counts.RateLimitedAnswers;
        Summary.PacingWaits = Counts.PacingWaits;
        Summary.PacingWaitTime = Counts.PacingWaitTime;
    }

    private RecordTicket Open()
    {
        var ticket = new RecordTicket(++Summary.Received);
        _unfinished.Enqueue(ticket);
        return ticket;
    }

    // A record is counted the moment it finishes, which is once. Requests come back in input order,
    // so the records still unfinished are few (the window's width, plus records that failed meanwhile).
    private void Count(RecordTicket ticket)
    {
        switch (ticket.State)
        {
            case RecordState.Failed: Summary.Failed++; break;
            case RecordState.Succeeded: Summary.Succeeded++; break;
            case RecordState.Skipped: Summary.Skipped++; break;
            default: throw new InvalidOperationException($"Record {ticket.Sequence} is not finished ({ticket.State}).");
        }
        while (_unfinished.Count > 0 && _unfinished.Peek().IsFinished)
            Summary.Handled = _unfinished.Dequeue().Sequence;
    }

    /// <summary>
    /// The summary keeps a small copy of each error: its id, category and message (which names the
    /// contact and carries Intercom's request_id) and the input record as TargetObject; no stack
    /// trace, inner exception or invocation details, so a thousand of them serialise to little.
    /// </summary>
    internal static ErrorRecord Lean(ErrorRecord error)
    {
        var message = error.ErrorDetails?.Message is { Length: > 0 } details ? details : error.Exception.Message;
        var id = error.FullyQualifiedErrorId.Split(',')[0];
        return new ErrorRecord(IntercomRecordException.Keeping(error, message), id, error.CategoryInfo.Category, error.TargetObject);
    }
}
