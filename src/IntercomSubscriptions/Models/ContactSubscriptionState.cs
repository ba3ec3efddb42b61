namespace IntercomSubscriptions;

/// <summary>The state Set-IntercomContactSubscription brings a contact to, in users' words.</summary>
public enum ContactSubscriptionState
{
    /// <summary>Messages of the type reach the contact.</summary>
    Subscribed,
    /// <summary>Messages of the type do not reach the contact.</summary>
    Unsubscribed,
    /// <summary>No explicit choice: the type's default applies.</summary>
    Default,
}
