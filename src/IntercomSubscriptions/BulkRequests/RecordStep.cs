namespace IntercomSubscriptions;

/// <summary>
/// The second step of one input record whose outcome is known only after it (Set: the write that
/// follows the read). The <see cref="BulkRun"/> makes it when the record's read is handed back, and
/// the record stays open until the step ends: once, in one of three ways, on the pipeline thread.
/// A step's result comes back in input order with the other records' steps.
/// </summary>
internal sealed class RecordStep
{
    private readonly BulkRun _run;
    private readonly RecordTicket _ticket;
    private readonly ContactTarget _target;
    private bool _ended;

    internal RecordStep(BulkRun run, RecordTicket ticket, ContactTarget target)
    {
        _run = run;
        _ticket = ticket;
        _target = target;
    }

    /// <summary>Nothing needed sending (the contact is in the state asked for): a success. <paramref name="onHandedBack"/> writes its result.</summary>
    public void Succeeded(Action onHandedBack) => End(() => _run.StepSucceeded(_ticket, onHandedBack));

    /// <summary>ShouldProcess declined the change: the record is skipped.</summary>
    public void Skipped() => End(() => _run.StepSkipped(_ticket));

    /// <summary>
    /// Sends <paramref name="change"/>; <paramref name="onApplied"/> runs once Intercom accepted it. A
    /// failure is the record's error, targeting <paramref name="errorTarget"/> (the input record) and
    /// naming <paramref name="subject"/> (the contact and type).
    /// </summary>
    public void SendChange(SubscriptionChange change, object errorTarget, string subject, Action onApplied) =>
        End(() => _run.StepSendsChange(_ticket, _target, change, errorTarget, subject, onApplied));

    private void End(Action outcome)
    {
        if (_ended) throw new InvalidOperationException("A record's step ends once.");
        _ended = true;
        outcome();
    }
}
