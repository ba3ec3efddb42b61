namespace IntercomSubscriptions;

/// <summary>
/// One explicit choice of one contact, as Get-IntercomContactSubscription -All streams it for an
/// audit. Flat (every property a plain value) so that Export-Csv writes it as it is; ContactId and
/// SubscriptionId bind it back into the other contact cmdlets by property name.
/// </summary>
public sealed class ContactSubscriptionChoice
{
    public string ContactId { get; set; } = "";
    public string? Email { get; set; }
    public string? ExternalId { get; set; }
    public string SubscriptionId { get; set; } = "";
    public string? Name { get; set; }
    /// <summary>The subscription type's consent model: opt_in or opt_out.</summary>
    public string? ConsentType { get; set; }
    /// <summary>What the contact chose: opt_in or opt_out (always the type's own consent model).</summary>
    public string? Consent { get; set; }
    /// <summary>Whether the choice lets messages of the type reach the contact: true for an opt-in, false for an opt-out.</summary>
    public bool? Subscribed { get; set; }
    /// <summary>The contact unsubscribed from all email (Intercom's unsubscribed_from_emails).</summary>
    public bool UnsubscribedFromEmails { get; set; }

    /// <summary>
    /// The connection this was read or written through (internal: not a property PowerShell shows or
    /// exports). Its ids are that workspace's: piped into a cmdlet using another connection, it names
    /// its contact by email or external id and its type by name (<see cref="WorkspaceRecord"/>).
    /// </summary>
    internal IntercomConnection? Workspace { get; set; }

    public override string ToString() => $"{ContactId}/{SubscriptionId}: {Consent}";
}
