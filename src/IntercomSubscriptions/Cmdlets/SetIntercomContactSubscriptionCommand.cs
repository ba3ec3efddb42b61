using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>
/// Brings contacts to the state asked for (Subscribed, Unsubscribed, Default) for a subscription
/// type: reads each contact's current choices first and writes only what differs.
/// </summary>
[Cmdlet(VerbsCommon.Set, "IntercomContactSubscription", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ContactSubscriptionChange), typeof(IntercomRunSummary))]
public sealed class SetIntercomContactSubscriptionCommand : ContactSubscriptionChangeCmdlet
{
    // WriteInformation tagged PSHOST is shown by the host even under the default InformationPreference, as Write-Host is.
    private static readonly string[] HostTags = { "PSHOST" };

    private SubscriptionStateWriter? _writer;
    private bool _whatIf;

    /// <summary>Subscribed (messages of the type reach the contact), Unsubscribed (they do not), or Default (no explicit choice).</summary>
    [Parameter(Position = 2, ValueFromPipelineByPropertyName = true)]
    public ContactSubscriptionState? State { get; set; }

    private protected override string Activity => "Setting contact subscriptions";

    // A subscription piped in from Get-IntercomContactSubscription says its state in Source and Subscribed.
    private protected override string[] OtherColumns => new[] { RecordInput.SourceColumn, DesiredState.SubscribedColumn };

    // Source Default is a state to make so: no explicit choice.
    private protected override bool SkipsDefaultSource => false;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _whatIf = WhatIfWanted();
        _writer = new SubscriptionStateWriter(this, writeChanges: !_whatIf, ActiveConnection);
    }

    private protected override void ProcessRecord(RecordInput record, RecordCells cells)
    {
        var errorTarget = InputObject ?? record.GivenValue();
        // State binds when PowerShell can convert it; otherwise its cell (a type's lifecycle 'live', a typo) is read, and Source and Subscribed.
        var (asked, problem) = DesiredState.Of(cells);
        if (asked is not { } wanted)
        {
            Run.WriteRecordError(IntercomErrors.InvalidArgument(problem!, errorTarget, ErrorIds.StateColumnMissing));
            return;
        }
        var type = SubscriptionTypes.Resolve(record.SubscriptionId, record.SubscriptionName, idMayBeUnknown: false, InputObject);
        if (type is null) return;
        if (SubscriptionStatePlan.For(type.ConsentType, hasChoice: false, wanted) is not { } plan)
        {
            Run.WriteRecordError(IntercomErrors.ToErrorRecord(new ConsentMismatchException(
                $"Subscription type {type} has the consent type '{type.ConsentType}', which this module does not know, so whether {wanted} takes an opt-in, an opt-out or neither cannot be told. Use Add- or Remove-IntercomContactSubscription."),
                errorTarget ?? type.Id));
            return;
        }

        var client = ActiveConnection.Client;
        var writer = _writer!;
        // Reading changes nothing: the writer asks ShouldProcess, once the change is known.
        var choiceAfter = plan.ChoiceAfter(type.ConsentType);
        Run.SubmitReadsThenStep(TargetsOf(record), InputObject, $", subscription type '{type.Id}'",
            async (contactId, cancellationToken) =>
                new CurrentChoice(contactId, await client.HasChoiceAsync(contactId, type.Id, EngineEvents, cancellationToken).ConfigureAwait(false)),
            (current, target, step) => writer.Submit(current, target, type, wanted, errorTarget ?? current.ContactId, step),
            (type.Id, choiceAfter));
    }

    protected override void EndProcessing()
    {
        base.EndProcessing(); // drains the reads, then the writes, and writes the summary
        if (_writer is { } writer && _whatIf)
        {
            var total = writer.Unchanged + writer.Declined;
            WriteInformation(new HostInformationMessage
            {
                Message = $"What if: {writer.Declined:N0} of {total:N0} contact subscription{(total == 1 ? "" : "s")} would change; "
                    + $"{writer.Unchanged:N0} {(writer.Unchanged == 1 ? "is" : "are")} already in the state asked for.",
            }, HostTags);
        }
    }

}
