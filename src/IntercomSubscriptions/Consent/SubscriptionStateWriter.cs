namespace IntercomSubscriptions;

/// <summary>
/// The second stage of Set-IntercomContactSubscription: given a contact's current choice (read
/// first, in input order), works out the plan, asks ShouldProcess only when something would change,
/// sends the one write it takes, and hands every record's result back in input order: records that
/// need nothing go through the same window, already finished, so they do not overtake earlier ones.
/// Each record's outcome goes to its <see cref="RecordStep"/>: a change accepted or none needed is a
/// success, a declined ShouldProcess a skip, a failed write the record's failure (and its error).
/// Runs on the pipeline thread, like the window; the cmdlet gives it delegates, never itself.
/// </summary>
internal sealed class SubscriptionStateWriter : IDisposable
{
    private readonly OrderedRequestWindow<ContactSubscriptionChange> _window;
    private readonly Func<string, string, bool> _shouldProcess;
    private readonly Action<ContactSubscriptionChange> _writeObject;

    /// <param name="send">Sends one change: (contact id, type id, action opt_in/opt_out/remove, cancellation).</param>
    public SubscriptionStateWriter(int throttleLimit, Action pump, CancellationToken cancellationToken,
        Func<string, string, string, CancellationToken, Task> send, Func<string, string, bool> shouldProcess,
        Action<ContactSubscriptionChange> writeObject)
    {
        _window = new OrderedRequestWindow<ContactSubscriptionChange>(throttleLimit, pump, cancellationToken);
        Send = send;
        _shouldProcess = shouldProcess;
        _writeObject = writeObject;
    }

    private Func<string, string, string, CancellationToken, Task> Send { get; }

    /// <summary>Records already in the state asked for.</summary>
    public long Unchanged { get; private set; }

    /// <summary>Records whose change ShouldProcess declined (all of them under -WhatIf).</summary>
    public long Declined { get; private set; }

    /// <summary>Changes sent (accepted or not).</summary>
    public long Sent { get; private set; }

    /// <summary>Plans and queues one contact's change; <paramref name="errorTarget"/> is the record errors name; <paramref name="step"/> is ended with the outcome.</summary>
    public void Submit(CurrentChoice current, SubscriptionType type, ContactSubscriptionState wanted, object errorTarget, RecordStep step)
    {
        var (contactId, hasChoice) = current;
        // The cmdlet refuses an unknown consent type before reading, unless the state is Default.
        var plan = SubscriptionStatePlan.For(type.ConsentType, hasChoice, wanted)
            ?? throw new InvalidOperationException($"No plan for consent type '{type.ConsentType}'.");
        var change = new ContactSubscriptionChange
        {
            ContactId = contactId,
            SubscriptionId = type.Id,
            Name = type.Name,
            ConsentType = type.ConsentType,
            State = wanted,
            SourceBefore = plan.SourceBefore,
            SourceAfter = plan.SourceAfter,
            SubscribedBefore = plan.SubscribedBefore,
            SubscribedAfter = plan.SubscribedAfter,
            Action = plan.Action,
        };
        current.Target?.Stamp(change);
        if (!plan.ChangesAnything)
        {
            Unchanged++;
            _window.Submit(_ => Task.FromResult(change), Succeeded, _ => { });
            return;
        }
        if (!_shouldProcess($"Contact '{contactId}'", plan.Describe(type)))
        {
            Declined++;
            step.Skipped();
            return;
        }
        Sent++;
        var subject = $"Contact '{contactId}', subscription type '{type.Id}'";
        _window.Submit(
            cancellationToken => step.SendAsync(async () =>
            {
                await Send(contactId, type.Id, plan.Action, cancellationToken).ConfigureAwait(false);
                change.Changed = true;
                return change;
            }),
            Succeeded,
            exception => step.Failed(IntercomErrors.ForContact(exception, current.Target?.Value ?? contactId), errorTarget, subject));

        void Succeeded(ContactSubscriptionChange done)
        {
            step.Succeeded();
            _writeObject(done);
        }
    }

    /// <summary>Waits for every change sent and hands the rest back, in order.</summary>
    public void Complete() => _window.Drain();

    public void Dispose() => _window.Dispose();
}

/// <summary>Whether a contact (by its Intercom id) has an explicit choice for the type, as read before the change.</summary>
internal sealed record CurrentChoice(string ContactId, bool HasChoice)
{
    /// <summary>How the record named the contact, put on the output (email, external id).</summary>
    public ContactTarget? Target { get; set; }
}
