using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>Removes a contact's explicit choice for a subscription type, so the type's default applies again.</summary>
[Cmdlet(VerbsCommon.Remove, "IntercomContactSubscription", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ContactSubscription))]
public sealed class RemoveIntercomContactSubscriptionCommand : IntercomBulkCmdlet<ContactSubscription>
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("contact_id", "intercom_id")]
    [ValidateIntercomId("contact id")]
    public string[] ContactId { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("subscription_id", "SubscriptionTypeId", "subscription_type_id")]
    [ValidateIntercomId("subscription type id")]
    public string SubscriptionId { get; set; } = "";

    /// <summary>Emit the subscription type that was detached, as a ContactSubscription with Source Default.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    internal override string ProgressActivity => "Removing contact subscriptions";

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (!MyInvocation.ExpectingInput) ExpectedTotal = ContactId.Length;
    }

    protected override void ProcessRecord()
    {
        var client = ActiveConnection.Client;
        var subscriptionId = SubscriptionId;
        var passThru = PassThru.IsPresent;
        foreach (var contactId in ContactId)
        {
            if (!ShouldProcess($"contact {contactId}", $"Remove the choice for subscription type {subscriptionId}"))
                continue;
            Submit(InputObject ?? (object)contactId, $"Contact '{contactId}', subscription type '{subscriptionId}'",
                async cancellationToken =>
                {
                    var type = await client.DetachSubscriptionAsync(contactId, subscriptionId, EngineEvents, cancellationToken).ConfigureAwait(false);
                    // With the choice gone, the type's default is what applies to the contact.
                    return ModelMapper.ToContactSubscription(contactId, type, SubscriptionSource.Default);
                },
                subscription =>
                {
                    if (passThru) WriteObject(subscription);
                });
        }
    }
}
