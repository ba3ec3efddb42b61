namespace IntercomSubscriptions.Engine;

/// <summary>One line of a journal: when it was written and by which run (a cmdlet invocation).</summary>
internal abstract record JournalEvent(DateTimeOffset At, string Run);

/// <summary>
/// A change about to go to Intercom, written (and on the disk) before its request goes on the wire:
/// which contact, as the record named it (<see cref="Key"/> id, email or external_id, and its value),
/// which subscription type, the contact's explicit choice for it before (<see cref="ChoiceBefore"/>:
/// opt_in, opt_out or none; null when it was not read) and the one asked for (<see cref="ChoiceAfter"/>),
/// and the request (<see cref="Action"/>: opt_in, opt_out or remove). <see cref="Seq"/> numbers the
/// run's changes; the outcome line names it.
/// </summary>
internal sealed record JournalIntent(DateTimeOffset At, string Run, long Seq, string Command, string Workspace, string ContactId,
    string Key, string KeyValue, string SubscriptionId, string? SubscriptionName, string? ConsentType, string? ChoiceBefore,
    string ChoiceAfter, string Action) : JournalEvent(At, Run);

/// <summary>
/// What became of a change (<see cref="Outcome"/>: applied, failed, in_doubt or not_applied), with the
/// error id of a failure and Intercom's request_id. An intent with no outcome line is in doubt.
/// </summary>
internal sealed record JournalOutcome(DateTimeOffset At, string Run, long Seq, string ContactId, string SubscriptionId, string Outcome,
    string? ErrorId, string? RequestId) : JournalEvent(At, Run);

/// <summary>-Resume read a contact whose change the journal had in doubt: whether the choice asked for (<see cref="ChoiceAfter"/>) is in effect.</summary>
internal sealed record JournalCheck(DateTimeOffset At, string Run, string ContactId, string SubscriptionId, string ChoiceAfter, bool InEffect)
    : JournalEvent(At, Run);

/// <summary>A run ended, how, and with what counts: for people reading the file; nothing depends on it.</summary>
internal sealed record JournalRunEnd(DateTimeOffset At, string Run, string Command, string Status, long Received, long Succeeded, long Failed,
    long Skipped, long InDoubt, long NotProcessed) : JournalEvent(At, Run);

/// <summary>The words a journal uses for choices, keys and outcomes (its format: the values scripts read).</summary>
internal static class JournalWords
{
    public const string None = "none";
    public const string OptIn = "opt_in";
    public const string OptOut = "opt_out";
    public const string Remove = "remove";

    public const string KeyId = "id";
    public const string KeyEmail = "email";
    public const string KeyExternalId = "external_id";

    public const string Applied = "applied";
    public const string Failed = "failed";
    public const string InDoubt = "in_doubt";
    public const string NotApplied = "not_applied";

    /// <summary>The choice a request leaves: the consent it records, or none when it removes the choice.</summary>
    public static string ChoiceAfter(string action) => action == Remove ? None : action;
}
