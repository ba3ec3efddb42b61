using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>Removes a contact's explicit choice for a subscription type, so the type's default applies again.</summary>
[Cmdlet(VerbsCommon.Remove, "IntercomContactSubscription", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ContactSubscription), typeof(IntercomRunSummary))]
public sealed class RemoveIntercomContactSubscriptionCommand : ContactSubscriptionChangeCmdlet
{
    /// <summary>Emit what now applies to the contact: the type at its default (Source Default).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private protected override string Activity => "Removing contact subscriptions";

    private protected override void ProcessRecord(RecordInput record, RecordCells cells)
    {
        var type = SubscriptionTypes.Resolve(record.SubscriptionId, record.SubscriptionName, idMayBeUnknown: true, InputObject);
        if (type is null) return;
        Run.SubmitChanges(TargetsOf(record), InputObject,
            $"Remove the choice for subscription type {type}", $", subscription type '{type.Id}'",
            contactId => SubscriptionChange.Of(contactId, type, SubscriptionChange.Remove),
            (change, detached, target) =>
            {
                if (!PassThru.IsPresent) return;
                // With the choice gone, the type's default is what applies to the contact.
                var subscription = ModelMapper.ToContactSubscription(change.ContactId, detached, SubscriptionSource.Default);
                target.Stamp(subscription);
                subscription.Workspace = ActiveConnection;
                WriteObject(subscription);
            });
    }
}
