namespace IntercomSubscriptions;

/// <summary>
/// One change a journal recorded (Get-IntercomJournal): what was asked of which contact, and what
/// became of it. <see cref="Outcome"/> InDoubt covers both a change whose answer did not say and one
/// whose outcome line was never written (the process was killed while it was on the wire).
/// </summary>
public sealed class IntercomJournalEntry
{
    /// <summary>When the change was about to be sent (its intent line, UTC).</summary>
    public DateTimeOffset Time { get; internal set; }

    /// <summary>The run (one cmdlet invocation) it belonged to.</summary>
    public string RunId { get; internal set; } = "";

    /// <summary>The cmdlet that sent it: Add-, Remove- or Set-IntercomContactSubscription.</summary>
    public string Command { get; internal set; } = "";

    /// <summary>Where it was sent: the connection's base URI.</summary>
    public string Workspace { get; internal set; } = "";

    public string ContactId { get; internal set; } = "";

    /// <summary>How the record named the contact: id, email or external_id.</summary>
    public string Key { get; internal set; } = "";

    /// <summary>The id, email or external id the record named the contact by.</summary>
    public string KeyValue { get; internal set; } = "";

    public string SubscriptionId { get; internal set; } = "";

    /// <summary>The subscription type's name, when it was known.</summary>
    public string? Name { get; internal set; }

    public string? ConsentType { get; internal set; }

    /// <summary>What was sent: opt_in or opt_out (attach), or remove (detach).</summary>
    public string Action { get; internal set; } = "";

    /// <summary>The contact's explicit choice before (opt_in, opt_out or none), as read first; null when it was not read (Add, Remove).</summary>
    public string? ChoiceBefore { get; internal set; }

    /// <summary>The choice asked for: opt_in, opt_out or none.</summary>
    public string ChoiceAfter { get; internal set; } = "";

    public IntercomJournalOutcome Outcome { get; internal set; }

    /// <summary>The error's id when it failed or its answer left it in doubt.</summary>
    public string? ErrorId { get; internal set; }

    /// <summary>Intercom's request_id of the answer, when one came.</summary>
    public string? RequestId { get; internal set; }

    /// <summary>When its outcome was written; null when none was.</summary>
    public DateTimeOffset? OutcomeTime { get; internal set; }

    public override string ToString() => $"{ContactId} {SubscriptionId} {Action} {Outcome}";
}

/// <summary>What became of a change a journal recorded.</summary>
public enum IntercomJournalOutcome
{
    /// <summary>Intercom accepted it.</summary>
    Applied,
    /// <summary>Intercom refused it (or it could not be sent): nothing was applied.</summary>
    Failed,
    /// <summary>Sent, and nothing says whether Intercom applied it: no answer, a 5xx, or no outcome line at all (the run was killed).</summary>
    InDoubt,
    /// <summary>Not carried out: the run stopped before it went out (or after Intercom refused it for the rate limit).</summary>
    NotApplied,
}
