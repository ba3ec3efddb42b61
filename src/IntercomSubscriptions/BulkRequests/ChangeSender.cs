using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Sends one change to Intercom, from a worker thread, and says what became of it. Every request of
/// this module that changes Intercom goes through here: Add's and Remove's for each contact and Set's
/// second step. Under -Resume, a change the journal shows applied is not sent, and one it has in
/// doubt is read first (Set has read it already). The journal's intent line is written, and on the
/// disk, between the pacer's leave and the wire (<see cref="CallOptions.BeforeFirstSend"/>), so a
/// change held by the pacer when the run stops leaves nothing to settle; its outcome line follows the
/// answer. The engine says which attempts could have been carried out (<see cref="CallDelivery"/>).
/// </summary>
/// <remarks>Thread-safe: the bulk run sends its changes from worker threads, several at a time.</remarks>
internal sealed class ChangeSender
{
    private readonly Func<SubscriptionChange, CallOptions, CancellationToken, Task<SubscriptionTypeData>> _sendChange;
    private readonly RunJournal? _journal;
    private readonly Func<string, string, CancellationToken, Task<bool>>? _hasChoice;
    private readonly FailureLatch _failureSeen;
    private readonly CancellationToken _abandon;

    /// <param name="sendChange">Sends one change to Intercom (the connection's attach or detach) with the call's options.</param>
    /// <param name="journal">The run's journal (its owner closes it); null for none.</param>
    /// <param name="hasChoice">Whether a contact has an explicit choice for a type: -Resume reads a change in doubt with it before sending it again.</param>
    /// <param name="failureSeen">The run's failure that ends it: once seen, nothing more is sent; a journal that cannot be written sets it.</param>
    /// <param name="abandon">Cancels the changes already on the wire (a stop, after its grace).</param>
    public ChangeSender(Func<SubscriptionChange, CallOptions, CancellationToken, Task<SubscriptionTypeData>> sendChange,
        RunJournal? journal, Func<string, string, CancellationToken, Task<bool>>? hasChoice, FailureLatch failureSeen, CancellationToken abandon)
    {
        _sendChange = sendChange;
        _journal = journal;
        _hasChoice = hasChoice;
        _failureSeen = failureSeen;
        _abandon = abandon;
    }

    /// <summary>
    /// Sends <paramref name="change"/>, made for the contact as <paramref name="target"/> named it;
    /// <paramref name="cancellationToken"/> stops what has not gone out yet. Never throws: a failure is an outcome.
    /// </summary>
    public async Task<ChangeOutcome> SendAsync(ContactTarget target, SubscriptionChange change, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested || _failureSeen.Seen)
            return ChangeOutcome.NotApplied;
        var journal = _journal;
        if (journal?.Resume is { } index)
        {
            switch (index.Lookup(change.ContactId, change.SubscriptionTypeId, change.ChoiceAfter))
            {
                case JournalVerdict.AlreadyApplied:
                    return new ChangeOutcome(ChangeResult.AlreadyApplied);
                case JournalVerdict.InDoubt when change.ChoiceBefore is null && _hasChoice is { } hasChoice:
                    bool inEffect;
                    try
                    {
                        inEffect = await hasChoice(change.ContactId, change.SubscriptionTypeId, cancellationToken).ConfigureAwait(false)
                            == (change.ChoiceAfter != JournalWords.None);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        return ChangeOutcome.NotApplied;
                    }
                    catch (Exception ex)
                    {
                        return new ChangeOutcome(ChangeResult.Failed, Failure: ex);
                    }
                    journal.WriteCheck(change, inEffect);
                    if (inEffect) return new ChangeOutcome(ChangeResult.AlreadyApplied);
                    break;
            }
            if (_failureSeen.Seen) return ChangeOutcome.NotApplied;
        }

        var intent = journal?.Intent(target, change);
        var intentWritten = false;
        var options = new CallOptions
        {
            BeforeFirstSend = intent is null ? null : async () =>
            {
                await journal!.WriteIntentAsync(intent).ConfigureAwait(false);
                Volatile.Write(ref intentWritten, true);
            },
            OnTheWire = _abandon,
        };
        ChangeOutcome outcome;
        try
        {
            outcome = new ChangeOutcome(ChangeResult.Applied, Answer: await _sendChange(change, options, cancellationToken).ConfigureAwait(false));
        }
        catch (BeforeSendFailedException ex)
        {
            // Nothing more may be sent: the pipeline thread queues nothing new from now on.
            _failureSeen.MarkSeen();
            return new ChangeOutcome(ChangeResult.JournalFailed, Failure: ex.InnerException ?? ex);
        }
        catch (Exception ex)
        {
            var stopped = ex is OperationCanceledException;
            outcome = options.Delivery.MayHaveApplied
                ? new ChangeOutcome(ChangeResult.InDoubt, Failure: stopped ? null : ex,
                    Reason: stopped ? "the run stopped while it was on the wire" : IntercomErrors.Public(ex).Message)
                : stopped ? ChangeOutcome.NotApplied : new ChangeOutcome(ChangeResult.Failed, Failure: ex);
        }
        if (intent is not null && Volatile.Read(ref intentWritten))
        {
            var shown = outcome.Failure is null ? null : IntercomErrors.Public(outcome.Failure);
            journal!.WriteOutcome(intent, outcome.JournalWord, shown?.ErrorId, shown?.RequestId ?? options.Delivery.RequestId);
        }
        return outcome;
    }
}
