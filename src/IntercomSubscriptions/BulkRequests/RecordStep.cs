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
    private readonly Action<RecordTicket, Exception, object, string> _fail;
    private readonly Action _throwIfRunEnding;
    private bool _ended;

    /// <param name="fail">Handles a failed step as the owner handles a failed request: (ticket, exception, the record errors name, subject).</param>
    /// <param name="throwIfRunEnding">Throws when the run is ending (-ErrorAction Stop saw a failure), so that nothing new is sent.</param>
    public RecordStep(RunSummaryCollector run, RecordTicket ticket, Action<RecordTicket, Exception, object, string> fail, Action throwIfRunEnding)
    {
        _run = run;
        _ticket = ticket;
        _fail = fail;
        _throwIfRunEnding = throwIfRunEnding;
        run.RequestSent(ticket);
    }

    /// <summary>
    /// Starts the step's request (the engine counts it for the run through the cmdlet's event sink);
    /// once the run is ending it is not sent, and the exception that says so goes to <see cref="Failed"/>.
    /// </summary>
    public Task<T> SendAsync<T>(Func<Task<T>> request)
    {
        _throwIfRunEnding();
        return request();
    }

    /// <summary>The step did what the record asked (a write accepted, or none needed).</summary>
    public void Succeeded() => End(() => _run.RequestDone(_ticket, succeeded: true));

    /// <summary>The step was not done and did not fail (ShouldProcess declined it).</summary>
    public void Skipped() => End(() => _run.RequestDone(_ticket, succeeded: false));

    /// <summary>The step's request failed (or was not sent); <paramref name="errorTarget"/> is the input record, <paramref name="subject"/> names the contact.</summary>
    public void Failed(Exception exception, object errorTarget, string subject) => End(() => _fail(_ticket, exception, errorTarget, subject));

    private void End(Action outcome)
    {
        if (_ended) throw new InvalidOperationException("A record's step ends once.");
        _ended = true;
        outcome();
    }
}
