using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>Lists a contact's explicit subscription choices.</summary>
[Cmdlet(VerbsCommon.Get, "IntercomContactSubscription")]
[OutputType(typeof(ContactSubscription))]
public sealed class GetIntercomContactSubscriptionCommand : IntercomBulkCmdlet<IReadOnlyList<ContactSubscription>>
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("contact_id", "intercom_id")]
    [ValidateIntercomId("contact id")]
    public string[] ContactId { get; set; } = Array.Empty<string>();

    internal override string ProgressActivity => "Reading contacts' subscriptions";

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (!MyInvocation.ExpectingInput) ExpectedTotal = ContactId.Length;
    }

    protected override void ProcessRecord()
    {
        var client = ActiveConnection.Client;
        foreach (var contactId in ContactId)
        {
            var target = InputObject ?? (object)contactId;
            Submit(target, $"Contact '{contactId}'",
                async cancellationToken =>
                {
                    var types = await client.ListContactSubscriptionsAsync(contactId, EngineEvents, cancellationToken).ConfigureAwait(false);
                    return types.Select(t => ModelMapper.ToContactSubscription(contactId, t, SubscriptionSource.Explicit)).ToArray();
                },
                subscriptions => WriteObject(subscriptions, enumerateCollection: true));
        }
    }
}
