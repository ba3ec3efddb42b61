using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// What one bulk run writes to its journal (-JournalPath, or Connect-Intercom's) and, under -Resume,
/// what it read from it first. Before each change goes on the wire, an intent line (on the disk before
/// the request leaves); after its answer, an outcome line; at the end, a line with the run's counts.
/// A run is named by a short random id, which its lines share. Thread-safe: changes are sent from
/// worker threads.
/// </summary>
internal sealed class RunJournal : IDisposable
{
    private readonly JournalWriter? _writer;
    private readonly string _command;
    private readonly string _workspace;
    private long _sequence;

    private RunJournal(string path, JournalWriter? writer, string command, string workspace, JournalIndex? resume)
    {
        Path = path;
        _writer = writer;
        _command = command;
        _workspace = workspace;
        Resume = resume;
        RunId = Guid.NewGuid().ToString("N").Substring(0, 12);
    }

    public string Path { get; }

    /// <summary>The run's id in the journal's lines.</summary>
    public string RunId { get; }

    /// <summary>What the journal said before this run (-Resume); null otherwise.</summary>
    public JournalIndex? Resume { get; }

    /// <summary>
    /// Opens the journal at <paramref name="path"/> for this run (creating it for its owner only), and
    /// with <paramref name="resume"/> reads what it holds first. Throws <see cref="JournalWriteException"/>
    /// when it cannot be opened, or IOException when it cannot be read.
    /// </summary>
    /// <param name="workspace">Where the connection talks to (its base URI): the journal never holds a token.</param>
    public static RunJournal Open(string path, string command, string workspace, bool resume, out bool othersMayRead)
    {
        var writer = JournalWriter.Open(path, out othersMayRead);
        try
        {
            return new RunJournal(path, writer, command, workspace, resume ? JournalIndex.Load(path) : null);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>What the journal at <paramref name="path"/> says, for a run that writes nothing (-Resume with -WhatIf).</summary>
    public static RunJournal ReadOnly(string path, string command) => new(path, null, command, "", JournalIndex.Load(path));

    /// <summary>The intent line of <paramref name="change"/>, for the contact as the record named it.</summary>
    public JournalIntent Intent(ContactTarget target, SubscriptionChange change) => new(
        DateTimeOffset.UtcNow, RunId, Interlocked.Increment(ref _sequence), _command, _workspace, change.ContactId,
        target.Field switch
        {
            null => JournalWords.KeyId,
            ContactSearchField.Email => JournalWords.KeyEmail,
            _ => JournalWords.KeyExternalId,
        },
        target.Value, change.SubscriptionTypeId, change.SubscriptionName, change.ConsentType, change.ChoiceBefore, change.ChoiceAfter, change.Action);

    /// <summary>Writes <paramref name="intent"/>; completes once it is on the disk.</summary>
    public Task WriteIntentAsync(JournalIntent intent) => Writer.AppendDurableAsync(JournalLines.Serialize(intent));

    /// <summary>Writes what became of <paramref name="intent"/>'s change (not waited for; a failure surfaces on the next intent).</summary>
    public void WriteOutcome(JournalIntent intent, string outcome, string? errorId, string? requestId) =>
        Writer.Append(JournalLines.Serialize(new JournalOutcome(DateTimeOffset.UtcNow, RunId, intent.Seq, intent.ContactId, intent.SubscriptionId,
            outcome, errorId, requestId)));

    /// <summary>-Resume read the contact of a change the journal had in doubt: whether its choice is in effect.</summary>
    public void WriteCheck(SubscriptionChange change, bool inEffect) =>
        Writer.Append(JournalLines.Serialize(new JournalCheck(DateTimeOffset.UtcNow, RunId, change.ContactId, change.SubscriptionTypeId,
            change.ChoiceAfter, inEffect)));

    /// <summary>Writes the run's last line, flushes everything to the disk and closes the file. Throws <see cref="JournalWriteException"/> when the journal failed.</summary>
    public void End(IntercomRunSummary summary)
    {
        if (_writer is null) return;
        _writer.Append(JournalLines.Serialize(new JournalRunEnd(DateTimeOffset.UtcNow, RunId, _command, summary.Status.ToString(),
            summary.Received, summary.Succeeded, summary.Failed, summary.Skipped, summary.InDoubt, summary.NotProcessed)));
        _writer.Close();
    }

    public void Dispose() => _writer?.Dispose();

    private JournalWriter Writer => _writer ?? throw new InvalidOperationException("This run only reads its journal (-WhatIf): it sends nothing.");
}
