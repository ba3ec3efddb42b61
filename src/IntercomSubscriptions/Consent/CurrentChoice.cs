namespace IntercomSubscriptions;

/// <summary>Whether a contact (by its Intercom id) has an explicit choice for the type, as read before the change.</summary>
internal sealed record CurrentChoice(string ContactId, bool HasChoice);
