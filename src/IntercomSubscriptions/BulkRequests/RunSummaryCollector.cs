using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Keeps the <see cref="IntercomRunSummary"/> of one bulk run up to date. Each input opens one
/// <see cref="RecordTicket"/> per contact it names, which finishes once every request it made is
/// handed back (or a stop settles it); errors and changes in doubt are kept lean and bounded; the
/// -TimeLimit is checked before each input (and each value of an array given as a parameter).
/// Runs on the pipeline thread only, except <see cref="MarkStopped"/>.
/// </summary>
/// <remarks>
/// An input is what <c>Select-Object -Skip</c> counts: one object piped in, or, when the contacts are
/// given as a parameter, one value of the array. Handled is the number of leading inputs whose every
/// record finished as Succeeded, Failed or Skipped, or in doubt with an error (which, like a failure,
/// is in Errors and the failed-records file, to re-run from there); the first record not processed,
/// or in doubt without an error (a stop cut its answer off), ends it for good: a resume sends it
/// again. From then on no ticket is kept for it.
/// </remarks>
internal sealed class RunSummaryCollector : IDisposable
{
    private readonly Func<TimeSpan> _elapsed;
    private readonly TimeSpan? _timeLimit;
    // Tickets not yet passed by Handled, in input order; few (the window's width, and failures meanwhile).
    private readonly Queue<RecordTicket> _unpassed = new();
    private readonly List<RecordTicket> _input = new();
    private readonly object _snapshot = new();
    private bool _finished;
    private bool _handledEnded;
    private bool _timeLimitCounted;
    private bool _eachIsAnInput;
    private long _inputs;
    // Of the input's records: how many a contact (or an error) has claimed, and, of those, how many were
    // told their processing is done (a parameter's values, each an input of its own).
    private int _claimed;
    private int _processed;
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

    /// <summary>Whether -TimeLimit has passed (and from now on, that it has).</summary>
    public bool TimeLimitPassed()
    {
        if (!TimeLimitReached && _timeLimit is { } limit && _elapsed() >= limit)
            TimeLimitReached = true;
        return TimeLimitReached;
    }

    /// <summary>Starts the next input, with one record; false when -TimeLimit has passed, and then the record is only counted as not processed.</summary>
    public bool BeginRecord()
    {
        EndRecord();
        if (TimeLimitPassed())
        {
            _inputs++;
            if (_timeLimitCounted)
            {
                Summary.Received++;
                return false;
            }
            // The first input not processed is where Handled stops, once what is in flight is handed back;
            // the ones after it are only counted, so that a long input keeps nothing of them.
            _timeLimitCounted = true;
            _eachIsAnInput = false;
            Open(_inputs);
            EndRecord();
            return false;
        }
        _eachIsAnInput = false;
        Open(++_inputs);
        return true;
    }

    /// <summary>
    /// The input names <paramref name="count"/> contacts: it has that many records (one is open already).
    /// <paramref name="eachIsAnInput"/>: the contacts were given as a parameter, so each is an input of
    /// its own for Handled (<c>$ids | Select-Object -Skip $run.Handled</c> resumes them).
    /// </summary>
    public void ExpectRecords(long count, bool eachIsAnInput)
    {
        _eachIsAnInput = eachIsAnInput;
        for (var i = _input.Count; i < count; i++)
            Open(eachIsAnInput ? ++_inputs : _inputs);
    }

    /// <summary>
    /// The next record of the input, for its next contact (or that contact's error). A contact given as
    /// a parameter is an input of its own, so the one before is done being processed.
    /// </summary>
    public RecordTicket Claim()
    {
        // Claims take the input's records in order (and Unclaimed takes the rest): the claimed ones are
        // the first _claimed, so a long parameter array claims each value in constant time.
        var ticket = _claimed < _input.Count ? _input[_claimed] : Open(_eachIsAnInput ? ++_inputs : _inputs);
        if (_eachIsAnInput)
        {
            for (; _processed < _claimed; _processed++)
            {
                if (_input[_processed].ProcessingDone()) Count(_input[_processed]);
            }
        }
        _claimed++;
        return ticket;
    }

    /// <summary>The input's records no contact has claimed: what an error about the whole input fails.</summary>
    public IReadOnlyList<RecordTicket> Unclaimed()
    {
        // Every contact claimed already: the error is the last record's.
        var unclaimed = _claimed < _input.Count ? _input.GetRange(_claimed, _input.Count - _claimed)
            : _input.Count > 0 ? new List<RecordTicket> { _input[_input.Count - 1] }
            : new List<RecordTicket>();
        _claimed = _input.Count;
        return unclaimed;
    }

    /// <summary>The input's own processing is over; its records finish once their requests are handed back.</summary>
    public void EndRecord()
    {
        foreach (var ticket in _input)
        {
            if (ticket.ProcessingDone()) Count(ticket);
        }
        _input.Clear();
        _claimed = 0;
        _processed = 0;
    }

    /// <summary>Keeps a lean copy of <paramref name="error"/> (and writes it to the failed-records file past the summary's bound).</summary>
    public void Keep(ErrorRecord error)
    {
        if (!_keepErrors && _failedRecords is null) return;
        var lean = Lean(error);
        var kept = _keepErrors && Summary.Keep(lean);
        _failedRecords?.Add(lean, kept);
    }

    /// <summary>An error for <paramref name="ticket"/>: counts it failed and keeps a lean copy.</summary>
    public void Failed(ErrorRecord error, RecordTicket ticket)
    {
        ticket.Report(RecordState.Failed);
        ticket.ErrorKept = true;
        Keep(error);
    }

    /// <summary>A record -Resume skipped because the journal (or a read) shows its change applied.</summary>
    public void AlreadyApplied() => Summary.AlreadyApplied++;

    /// <summary>A change of <paramref name="ticket"/> is in doubt: named in the summary, bounded.</summary>
    public void InDoubt(RecordTicket ticket, IntercomChangeInDoubt change)
    {
        ticket.Report(RecordState.InDoubt);
        if (_keepErrors) Summary.KeepInDoubt(change);
    }

    /// <summary>A part of <paramref name="ticket"/> that needed no request ended in <paramref name="outcome"/>.</summary>
    public static void Report(RecordTicket ticket, RecordState outcome)
    {
        if (ticket.IsFinished) throw new InvalidOperationException($"Record {ticket.Sequence} is finished.");
        ticket.Report(outcome);
    }

    /// <summary>A request of <paramref name="ticket"/> came back in <paramref name="outcome"/> (null: nothing is known of it, it was not sent), with its <paramref name="error"/> when it failed.</summary>
    public void RequestDone(RecordTicket ticket, RecordState? outcome, ErrorRecord? error = null)
    {
        if (error is not null)
        {
            ticket.ErrorKept = true;
            Keep(error);
        }
        if (outcome is { } reported) ticket.Report(reported);
        if (ticket.RequestDone()) Count(ticket);
    }

    /// <summary>Ends the run: records still open are counted as not processed; the elapsed time and wire counts are taken. The first call wins.</summary>
    public IntercomRunSummary Finish(IntercomRunStatus status)
    {
        if (_finished) return Summary;
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
    /// Called from the thread that stops the pipeline (Ctrl+C): the summary (in -SummaryVariable) says
    /// Stopped at once. The run settles what it had in flight and finishes the counts when the pipeline
    /// thread ends it (<see cref="BulkRun"/>'s Dispose), before the stop returns.
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

    private RecordTicket Open(long input)
    {
        var ticket = new RecordTicket(++Summary.Received, input);
        _input.Add(ticket);
        if (!_handledEnded) _unpassed.Enqueue(ticket);
        return ticket;
    }

    // A record is counted the moment it finishes, which is once.
    private void Count(RecordTicket ticket)
    {
        switch (ticket.State)
        {
            case RecordState.Failed: Summary.Failed++; break;
            case RecordState.Succeeded: Summary.Succeeded++; break;
            case RecordState.Skipped: Summary.Skipped++; break;
            case RecordState.InDoubt: Summary.InDoubt++; break;
            case RecordState.NotProcessed: break; // Received - Total
            default: throw new InvalidOperationException($"Record {ticket.Sequence} is not finished ({ticket.State}).");
        }
        PassHandled();
    }

    private void PassHandled()
    {
        while (!_handledEnded && _unpassed.Count > 0 && _unpassed.Peek().IsFinished)
        {
            var head = _unpassed.Peek();
            if (head.State is RecordState.NotProcessed || (head.State is RecordState.InDoubt && !head.ErrorKept))
            {
                EndHandled(head.Input - 1);
                return;
            }
            _unpassed.Dequeue();
            // Handled moves past an input only once all its records are passed.
            Summary.Handled = _unpassed.Count > 0 && _unpassed.Peek().Input == head.Input ? head.Input - 1 : head.Input;
        }
    }

    /// <summary>Handled stops at <paramref name="handled"/> for good: a record the next job must send again, or the time ran out.</summary>
    private void EndHandled(long handled)
    {
        if (_handledEnded) return;
        _handledEnded = true;
        Summary.Handled = Math.Min(Math.Max(Summary.Handled, 0), handled);
        _unpassed.Clear();
    }

    /// <summary>
    /// The summary keeps a small copy of each error: its id, category and message (which names the
    /// contact and carries Intercom's request_id) and the input record as TargetObject; no stack
    /// trace, inner exception or invocation details, so a thousand of them serialise to little.
    /// </summary>
    internal static ErrorRecord Lean(ErrorRecord error)
    {
        var message = error.ErrorDetails?.Message is { Length: > 0 } details ? details : error.Exception.Message;
        return new ErrorRecord(IntercomRecordException.Keeping(error, message), ErrorIds.Of(error), error.CategoryInfo.Category, error.TargetObject);
    }
}
