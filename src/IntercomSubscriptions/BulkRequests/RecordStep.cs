using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// The second step of one input record whose outcome is known only after it (Set: the write that
/// follows the read). It holds the record's ticket open from the moment it is made until it ends,
/// so the record is counted as succeeded, failed or skipped by this step, not by the first one.
/// Ended once, on the pipeline thread.
/// </summary>
internal sealed class RecordStep
{
    private readonly RunSummaryCollector _run;
    private readonly RecordTicket _ticket;
    private readonly Action<RecordTicket, ErrorRecord> _fail;
    private bool _ended;

    /// <param name="fail">Counts the failure on the ticket and reports the error (the owner's -ErrorAction handling).</param>
    public RecordStep(RunSummaryCollector run, RecordTicket ticket, Action<RecordTicket, ErrorRecord> fail)
    {
        _run = run;
        _ticket = ticket;
        _fail = fail;
        run.RequestSent(ticket);
    }

    /// <summary>Runs the step's request counted in the run's Requests, Retries and RateLimitWaits.</summary>
    public Task<T> CountAsync<T>(Func<Task<T>> request) => _run.Counts.CountAsync(request);

    /// <summary>The step did what the record asked (a write accepted, or none needed).</summary>
    public void Succeeded() => End(() => _run.RequestDone(_ticket, succeeded: true));

    /// <summary>The step was not done and did not fail (ShouldProcess declined it).</summary>
    public void Skipped() => End(() => _run.RequestDone(_ticket, succeeded: false));

    /// <summary>The step failed; <paramref name="error"/> names the input record as its target.</summary>
    public void Failed(ErrorRecord error) => End(() => _fail(_ticket, error));

    private void End(Action outcome)
    {
        if (_ended) throw new InvalidOperationException("A record's step ends once.");
        _ended = true;
        outcome();
    }
}
