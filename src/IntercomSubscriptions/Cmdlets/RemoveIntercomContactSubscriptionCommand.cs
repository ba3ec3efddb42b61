using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>Removes a contact's explicit choice for a subscription type, so the type's default applies again.</summary>
[Cmdlet(VerbsCommon.Remove, "IntercomContactSubscription", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ContactSubscription))]
public sealed class RemoveIntercomContactSubscriptionCommand : SubscriptionChangeCmdlet
{
    /// <summary>Emit what now applies to the contact: the type at its default (Source Default).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    internal override string ProgressActivity => "Removing contact subscriptions";

    protected override void ProcessRecord()
    {
        var type = ResolveSubscriptionType(idMayBeUnknown: true);
        if (type is null) return;
        var client = ActiveConnection.Client;
        var passThru = PassThru.IsPresent;
        SubmitForEachContact($"Remove the choice for subscription type {type}", $", subscription type '{type.Id}'",
            async (contactId, cancellationToken) =>
            {
                var detached = await client.DetachSubscriptionAsync(contactId, type.Id, EngineEvents, cancellationToken).ConfigureAwait(false);
                // With the choice gone, the type's default is what applies to the contact.
                return ModelMapper.ToContactSubscription(contactId, detached, SubscriptionSource.Default);
            },
            subscription =>
            {
                if (passThru) WriteObject(subscription);
            });
    }
}
