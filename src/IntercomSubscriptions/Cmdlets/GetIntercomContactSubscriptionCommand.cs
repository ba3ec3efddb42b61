using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>Lists a contact's subscription choices; with -IncludeDefault, every type with its effective state.</summary>
[Cmdlet(VerbsCommon.Get, "IntercomContactSubscription")]
[OutputType(typeof(ContactSubscription))]
public sealed class GetIntercomContactSubscriptionCommand : IntercomConnectedCmdlet
{
    private IReadOnlyList<SubscriptionType>? _allTypes;

    /// <summary>
    /// Also list the types the contact made no choice for (Source Default), so that Subscribed tells
    /// the effective state of every type: Intercom itself lists only explicit choices.
    /// </summary>
    [Parameter]
    public SwitchParameter IncludeDefault { get; set; }

    /// <summary>The contact's Intercom id, e.g. 63a07ddf05a32042dffac965.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("contact_id", "intercom_id")]
    [ValidateIntercomId("contact id")]
    public string[]? ContactId { get; set; }

    /// <summary>The contact's email, resolved through Intercom's contact search.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("email_address", "EmailAddress")]
    public string[]? Email { get; set; }

    /// <summary>Your own user id for the contact (Intercom's external_id), resolved through the contact search.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("external_id", "user_id", "UserId")]
    public string[]? ExternalId { get; set; }

    /// <summary>
    /// The most records in progress at once (1 = one after another; default 128, at most 256). A
    /// cap, not a setting to tune: the module finds how many requests to keep in flight from the
    /// latency and Intercom's rate-limit headers it measures, and paces itself by those headers.
    /// </summary>
    [Parameter]
    [ValidateRange(1, ThrottleLimits.Maximum)]
    public int ThrottleLimit { get; set; } = ThrottleLimits.Default;

    /// <summary>
    /// The pipeline record as it came (a CSV row, say), so that an error names the very record that
    /// failed. Hidden: the real parameters bind from the same record by property name.
    /// </summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    private ContactRequests<IReadOnlyList<ContactSubscription>>? _requests;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _requests = NewContactRequests<IReadOnlyList<ContactSubscription>>("Reading contacts' subscriptions", ThrottleLimit, new ContactColumns(ContactId, Email, ExternalId));
    }

    protected override void ProcessRecord()
    {
        var client = ActiveConnection.Client;
        if (IncludeDefault)
            _allTypes ??= Await(ActiveConnection.SubscriptionTypes.GetAsync(refresh: false, EngineEvents, CancellationToken));
        var allTypes = _allTypes;
        // Reading changes nothing: no ShouldProcess.
        _requests!.Submit(new ContactColumns(ContactId, Email, ExternalId).Targets(InputObject, WriteError), InputObject, null, "",
            async (contactId, cancellationToken) =>
            {
                var chosen = await client.ListContactSubscriptionsAsync(contactId, EngineEvents, cancellationToken).ConfigureAwait(false);
                var subscriptions = chosen.Select(t => ModelMapper.ToContactSubscription(contactId, t, SubscriptionSource.Explicit)).ToList();
                if (allTypes is not null)
                {
                    // Archived types send nothing, so their default is no one's effective state.
                    subscriptions.AddRange(allTypes
                        .Where(t => t.State != "archived" && !subscriptions.Any(s => s.SubscriptionId == t.Id))
                        .Select(t => ModelMapper.ToContactSubscription(contactId, t, SubscriptionSource.Default)));
                }
                return subscriptions;
            },
            subscriptions => WriteObject(subscriptions, enumerateCollection: true));
    }

    protected override void EndProcessing()
    {
        _requests?.Complete();
        base.EndProcessing();
    }
}
