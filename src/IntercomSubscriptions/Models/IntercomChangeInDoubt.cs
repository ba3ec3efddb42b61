namespace IntercomSubscriptions;

/// <summary>
/// A change a run sent without learning whether Intercom applied it: stopped while it was on the wire,
/// no answer within -TimeoutSec, the connection lost after sending, or an answer (a 5xx) that does not
/// say. The run summary names the first ones (<see cref="IntercomRunSummary.InDoubtChanges"/>). Each
/// change is idempotent: re-running its record (<see cref="TargetObject"/>) through the same cmdlet, or
/// the run with -JournalPath and -Resume (which reads the contact first), settles it.
/// </summary>
public sealed class IntercomChangeInDoubt
{
    internal IntercomChangeInDoubt(string contactId, string? contactKey, string subscriptionId, string action, string reason, object? targetObject)
    {
        ContactId = contactId;
        ContactKey = contactKey;
        SubscriptionId = subscriptionId;
        Action = action;
        Reason = reason;
        TargetObject = targetObject;
    }

    /// <summary>The contact's Intercom id.</summary>
    public string ContactId { get; }

    /// <summary>The id, email or external id the record named the contact by.</summary>
    public string? ContactKey { get; }

    public string SubscriptionId { get; }

    /// <summary>What was sent: opt_in or opt_out (attach), or remove (detach).</summary>
    public string Action { get; }

    /// <summary>Why its outcome is not known.</summary>
    public string Reason { get; }

    /// <summary>The input record (a CSV row), or the value given when there was none: pipe it to the same cmdlet to settle the change.</summary>
    public object? TargetObject { get; }

    public override string ToString() => $"{ContactId} {SubscriptionId} {Action}";
}
