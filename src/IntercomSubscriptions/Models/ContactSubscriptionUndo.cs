namespace IntercomSubscriptions;

/// <summary>
/// The state a contact's subscription was in before a journal's changes (Get-IntercomJournal -Undo),
/// shaped for Set-IntercomContactSubscription, which binds ContactId, SubscriptionId and State by
/// property name, reads the contact first and writes only what differs: so
/// <c>Get-IntercomJournal j.jsonl -Undo | Set-IntercomContactSubscription</c> puts each contact back,
/// -WhatIf shows what it would change, and running it twice changes nothing the second time.
/// </summary>
public sealed class ContactSubscriptionUndo
{
    public string ContactId { get; internal set; } = "";

    public string SubscriptionId { get; internal set; } = "";

    /// <summary>The subscription type's name, when the journal knew it (not a column Set reads: a renamed type still matches by id).</summary>
    public string? Name { get; internal set; }

    /// <summary>The state to put back: Subscribed, Unsubscribed, or Default (no explicit choice).</summary>
    public ContactSubscriptionState State { get; internal set; }

    /// <summary>
    /// True when the state before was read just before the change (Set reads first). False when it is
    /// inferred: Add and Remove do not read, so the undo assumes the change made a difference (an Add's
    /// contact had no choice before; a Remove's had the type's one). <see cref="Reason"/> says which.
    /// </summary>
    public bool Exact { get; internal set; }

    /// <summary>Where <see cref="State"/> comes from.</summary>
    public string Reason { get; internal set; } = "";

    /// <summary>The run of the first change undone, and where it was sent (use a connection to that workspace).</summary>
    public string RunId { get; internal set; } = "";

    public string Workspace { get; internal set; } = "";

    public override string ToString() => $"{ContactId} {SubscriptionId} {State}";
}
