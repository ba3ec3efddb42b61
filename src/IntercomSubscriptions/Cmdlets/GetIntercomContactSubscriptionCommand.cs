using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>Lists a contact's subscription choices; with -IncludeDefault, every type with its effective state.</summary>
[Cmdlet(VerbsCommon.Get, "IntercomContactSubscription")]
[OutputType(typeof(ContactSubscription))]
public sealed class GetIntercomContactSubscriptionCommand : IntercomContactCmdlet<IReadOnlyList<ContactSubscription>>
{
    private IReadOnlyList<SubscriptionType>? _allTypes;

    /// <summary>
    /// Also list the types the contact made no choice for (Source Default), so that Subscribed tells
    /// the effective state of every type: Intercom itself lists only explicit choices.
    /// </summary>
    [Parameter]
    public SwitchParameter IncludeDefault { get; set; }

    internal override string ProgressActivity => "Reading contacts' subscriptions";

    protected override void ProcessRecord()
    {
        var client = ActiveConnection.Client;
        if (IncludeDefault)
            _allTypes ??= Await(ActiveConnection.SubscriptionTypes.GetAsync(refresh: false, EngineEvents, CancellationToken));
        var allTypes = _allTypes;
        // Reading changes nothing: no ShouldProcess.
        SubmitForEachContact(null, "",
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
}
