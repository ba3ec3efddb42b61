namespace IntercomSubscriptions;

/// <summary>
/// What Set-IntercomContactSubscription found and did for one contact and one type. Carries
/// ContactId, SubscriptionId and State, so it binds back into Set-, Add- or
/// Remove-IntercomContactSubscription by property name; every property is a plain value, so
/// Export-Csv writes it as it is.
/// </summary>
public sealed class ContactSubscriptionChange
{
    public string ContactId { get; set; } = "";
    /// <summary>The email the record named the contact by, if it did; so results join back to the input.</summary>
    public string? Email { get; set; }
    /// <summary>The external id the record named the contact by, if it did.</summary>
    public string? ExternalId { get; set; }
    public string SubscriptionId { get; set; } = "";
    public string? Name { get; set; }
    /// <summary>The subscription type's consent model: opt_in or opt_out.</summary>
    public string? ConsentType { get; set; }
    /// <summary>The state asked for.</summary>
    public ContactSubscriptionState State { get; set; }
    /// <summary>Explicit (the contact had made a choice for the type) or Default, before the run.</summary>
    public SubscriptionSource SourceBefore { get; set; }
    /// <summary>Explicit or Default, after the run (with -WhatIf: what it would be).</summary>
    public SubscriptionSource SourceAfter { get; set; }
    /// <summary>Whether messages of the type reached the contact before the run (the consent alone).</summary>
    public bool? SubscribedBefore { get; set; }
    /// <summary>Whether they reach the contact after the run (the consent alone).</summary>
    public bool? SubscribedAfter { get; set; }
    /// <summary>What was sent: opt_in or opt_out (an attach), remove (a detach), or none.</summary>
    public string Action { get; set; } = "none";
    /// <summary>True when a change was sent and Intercom accepted it.</summary>
    public bool Changed { get; set; }

    /// <summary>
    /// The connection this was read or written through (internal: not a property PowerShell shows or
    /// exports). Its ids are that workspace's: piped into a cmdlet using another connection, it names
    /// its contact by email or external id and its type by name (<see cref="WorkspaceRecord"/>).
    /// </summary>
    internal IntercomConnection? Workspace { get; set; }

    public override string ToString() => $"{ContactId}/{SubscriptionId}: {State}";
}
