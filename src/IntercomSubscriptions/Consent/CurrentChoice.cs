namespace IntercomSubscriptions;

/// <summary>Whether a contact (by its Intercom id) has an explicit choice for the type, as read before the change.</summary>
internal sealed record CurrentChoice(string ContactId, bool HasChoice)
{
    /// <summary>How the record named the contact, put on the output (email, external id).</summary>
    public ContactTarget? Target { get; set; }
}
