using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>Records a contact's consent for a subscription type: opt_in or opt_out.</summary>
[Cmdlet(VerbsCommon.Add, "IntercomContactSubscription", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ContactSubscription))]
public sealed class AddIntercomContactSubscriptionCommand : IntercomBulkCmdlet<ContactSubscription>
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("contact_id", "intercom_id")]
    [ValidateIntercomId("contact id")]
    public string[] ContactId { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("subscription_id", "SubscriptionTypeId", "subscription_type_id")]
    [ValidateIntercomId("subscription type id")]
    public string SubscriptionId { get; set; } = "";

    /// <summary>opt_in or opt_out.</summary>
    [Parameter(Mandatory = true, Position = 2, ValueFromPipelineByPropertyName = true)]
    [Alias("consent_type", "ConsentType")]
    [ValidateSet("opt_in", "opt_out")]
    public string Consent { get; set; } = "";

    internal override string ProgressActivity => "Adding contact subscriptions";

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (!MyInvocation.ExpectingInput) ExpectedTotal = ContactId.Length;
    }

    protected override void ProcessRecord()
    {
        var client = ActiveConnection.Client;
        var subscriptionId = SubscriptionId;
        var consent = Consent;
        foreach (var contactId in ContactId)
        {
            if (!ShouldProcess($"contact {contactId}", $"Record {consent} for subscription type {subscriptionId}"))
                continue;
            Submit(InputObject ?? (object)contactId, $"Contact '{contactId}', subscription type '{subscriptionId}'",
                async cancellationToken =>
                {
                    var type = await client.AttachSubscriptionAsync(contactId, subscriptionId, consent, EngineEvents, cancellationToken).ConfigureAwait(false);
                    return ModelMapper.ToContactSubscription(contactId, type, SubscriptionSource.Explicit);
                },
                subscription => WriteObject(subscription));
        }
    }
}
