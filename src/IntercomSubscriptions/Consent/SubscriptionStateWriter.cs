namespace IntercomSubscriptions;

/// <summary>
/// The second step of Set-IntercomContactSubscription: given a contact's current choice (read
/// first, in input order), works out the plan, asks ShouldProcess only when something would change,
/// and ends the record's <see cref="RecordStep"/> with it: a change accepted or none needed is a
/// success, a declined ShouldProcess a skip, a failed write the record's failure. Under -WhatIf it
/// writes no objects, not even for the contacts already in the state asked for: its counts say it.
/// </summary>
internal sealed class SubscriptionStateWriter
{
    private readonly IPipelineOutput _output;
    private readonly bool _writeChanges;
    private readonly IntercomConnection? _workspace;

    /// <param name="writeChanges">False under -WhatIf: nothing is written for any record.</param>
    /// <param name="workspace">The connection the changes go through, which the output records (<see cref="ContactSubscriptionChange.Workspace"/>).</param>
    public SubscriptionStateWriter(IPipelineOutput output, bool writeChanges, IntercomConnection? workspace = null)
    {
        _output = output;
        _writeChanges = writeChanges;
        _workspace = workspace;
    }

    /// <summary>Records already in the state asked for.</summary>
    public long Unchanged { get; private set; }

    /// <summary>Records whose change ShouldProcess declined (all of them under -WhatIf).</summary>
    public long Declined { get; private set; }

    /// <summary>
    /// Plans one contact's change and ends <paramref name="step"/> with it. <paramref name="target"/>
    /// is how the record named the contact (put on the output); <paramref name="errorTarget"/> is the
    /// record errors name.
    /// </summary>
    public void Submit(CurrentChoice current, ContactTarget target, SubscriptionType type, ContactSubscriptionState wanted, object errorTarget, RecordStep step)
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
            Workspace = _workspace,
        };
        target.Stamp(change);
        if (!plan.ChangesAnything)
        {
            Unchanged++;
            step.Succeeded(() => Write(change));
            return;
        }
        if (!_output.ShouldProcess($"Contact '{contactId}'", plan.Describe(type)))
        {
            Declined++;
            step.Skipped();
            return;
        }
        step.SendChange(SubscriptionChange.Of(contactId, type, plan.Action, plan.ChoiceBefore(type.ConsentType)), errorTarget, $"Contact '{contactId}', subscription type '{type.Id}'", () =>
        {
            change.Changed = true;
            Write(change);
        });
    }

    private void Write(ContactSubscriptionChange change)
    {
        if (_writeChanges) _output.WriteObject(change);
    }
}
