namespace IntercomSubscriptions.Engine;

/// <summary>Which field a contact search matches.</summary>
internal enum ContactSearchField
{
    Email,
    ExternalId,
}
