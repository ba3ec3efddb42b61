namespace IntercomSubscriptions;

/// <summary>Whether a contact's relation to a subscription type is a choice it made or the type's default.</summary>
public enum SubscriptionSource
{
    Explicit,
    Default,
}
