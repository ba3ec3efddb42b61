using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>What became of one change a record sent (or meant to send), decided where the request ended.</summary>
internal enum ChangeResult
{
    /// <summary>Intercom accepted it.</summary>
    Applied,
    /// <summary>Not sent: -Resume found it applied already (in the journal, or by reading the contact).</summary>
    AlreadyApplied,
    /// <summary>Intercom refused it, or it could not be sent (no such contact): nothing was applied.</summary>
    Failed,
    /// <summary>Sent, and no answer says whether Intercom applied it.</summary>
    InDoubt,
    /// <summary>Not applied and not failed: the run stopped, ran out of time or ended on another record's error before it went out (or after Intercom refused it for the rate limit).</summary>
    NotApplied,
    /// <summary>Not sent: its journal line could not be written, which ends the run.</summary>
    JournalFailed,
}

/// <summary>One change's <see cref="ChangeResult"/>, with Intercom's answer or the failure, and why it is in doubt.</summary>
internal sealed record ChangeOutcome(ChangeResult Result, SubscriptionTypeData? Answer = null, Exception? Failure = null, string? Reason = null)
{
    public static readonly ChangeOutcome NotApplied = new(ChangeResult.NotApplied);

    /// <summary>The outcome as the journal writes it.</summary>
    public string JournalWord => Result switch
    {
        ChangeResult.Applied or ChangeResult.AlreadyApplied => JournalWords.Applied,
        ChangeResult.Failed => JournalWords.Failed,
        ChangeResult.InDoubt => JournalWords.InDoubt,
        _ => JournalWords.NotApplied,
    };
}

/// <summary>
/// A change a record has out: created on the pipeline thread when it is queued, its outcome set by the
/// worker that sends it. A stop settles the record from here when PowerShell takes no more writes.
/// </summary>
internal sealed class ChangeInFlight
{
    private volatile ChangeOutcome? _outcome;

    public ChangeInFlight(RecordTicket ticket, ContactTarget target, object errorTarget, string subject)
    {
        Ticket = ticket;
        Target = target;
        ErrorTarget = errorTarget;
        Subject = subject;
    }

    public RecordTicket Ticket { get; }
    public ContactTarget Target { get; }
    public object ErrorTarget { get; }
    public string Subject { get; }

    /// <summary>The change, once the contact's id is known (a search may come first).</summary>
    public SubscriptionChange? Change { get; set; }

    /// <summary>What became of it; null while it runs, and for good when it never got as far as sending.</summary>
    public ChangeOutcome? Outcome { get => _outcome; set => _outcome = value; }

    /// <summary>The window's task that runs it (the contact's search first, when there is one).</summary>
    public Task Running { get; set; } = Task.CompletedTask;
}
