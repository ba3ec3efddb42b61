namespace IntercomSubscriptions;

/// <summary>
/// One contact's relation to one subscription type. Carries ContactId and SubscriptionId so that
/// it binds straight back into Add- or Remove-IntercomContactSubscription by property name.
/// </summary>
public sealed class ContactSubscription
{
    public string ContactId { get; set; } = "";
    public string SubscriptionId { get; set; } = "";
    /// <summary>The email the input record named the contact by (null when it gave an Intercom id), so results join back to the CSV.</summary>
    public string? Email { get; set; }
    /// <summary>The external id the input record named the contact by, likewise.</summary>
    public string? ExternalId { get; set; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    /// <summary>The subscription type's consent model: opt_in or opt_out.</summary>
    public string? ConsentType { get; set; }
    public string? State { get; set; }
    /// <summary>The type's content types: email, sms_message, …; exported as "email, sms_message".</summary>
    public ValueList<string> ContentTypes { get; set; } = new(Array.Empty<string>());
    /// <summary>
    /// Explicit: the contact made a choice (Intercom lists it). Default: no choice recorded, so the
    /// type's default applies (only with -IncludeDefault).
    /// </summary>
    public SubscriptionSource Source { get; set; } = SubscriptionSource.Explicit;
    /// <summary>
    /// Whether messages of this type reach the contact: an explicit choice on an opt_in type or the
    /// default of an opt_out type means yes; an explicit choice on an opt_out type or the default of
    /// an opt_in type means no. Null when the consent type is one this module does not know.
    /// </summary>
    public bool? Subscribed { get; set; }
    /// <summary>
    /// With -IncludeDefault: whether messages of this type reach the contact at all, once the
    /// contact's email status (unsubscribed from all email, hard bounced, marked as spam) is taken
    /// into account for email types. Null without -IncludeDefault, or when it cannot be told.
    /// </summary>
    public bool? WillReceive { get; set; }
    /// <summary>With -IncludeDefault: why WillReceive is what it is, in a short phrase.</summary>
    public string? Reason { get; set; }

    /// <summary>
    /// The connection this was read or written through (internal: not a property PowerShell shows or
    /// exports). Its ids are that workspace's: piped into a cmdlet using another connection, it names
    /// its contact by email or external id and its type by name (<see cref="WorkspaceRecord"/>).
    /// </summary>
    internal IntercomConnection? Workspace { get; set; }

    public override string ToString() => $"{ContactId}/{SubscriptionId}";
}
