namespace IntercomSubscriptions;

/// <summary>
/// Whether messages of a type reach a contact at all: its consent for the type, and for email types
/// its email status. Intercom documents that a contact unsubscribed from emails gets no bulk or
/// automated email; what hard bounces and spam reports do, and that an archived type sends nothing,
/// are this module's inference (Get-IntercomContactSubscription's help says which is which).
/// </summary>
internal static class EmailReach
{
    /// <summary>The contact's email status, from GET /contacts/{id}.</summary>
    internal readonly record struct EmailStatus(bool UnsubscribedFromEmails, bool HasHardBounced, bool MarkedEmailAsSpam)
    {
        /// <summary>Why email does not reach the contact, or null when nothing stops it.</summary>
        public string? Blocked =>
            UnsubscribedFromEmails ? "unsubscribed from all email"
            : HasHardBounced ? "email address hard bounced"
            : MarkedEmailAsSpam ? "marked email as spam"
            : null;
    }

    /// <summary>Fills <see cref="ContactSubscription.WillReceive"/> and <see cref="ContactSubscription.Reason"/>.</summary>
    public static void Apply(ContactSubscription subscription, EmailStatus status)
    {
        (subscription.WillReceive, subscription.Reason) = Decide(subscription, status);
    }

    internal static (bool? WillReceive, string Reason) Decide(ContactSubscription subscription, EmailStatus status)
    {
        var explicitChoice = subscription.Source == SubscriptionSource.Explicit;
        switch (subscription.Subscribed)
        {
            case null:
                return (null, $"unknown consent type '{subscription.ConsentType}'");
            case false:
                return (false, explicitChoice ? "opted out" : "not opted in (opt-in type)");
        }
        if (subscription.State == "archived")
            return (false, "subscription type archived");
        var consent = explicitChoice ? "opted in" : "subscribed by default (opt-out type)";
        if (status.Blocked is not { } blocked || !subscription.ContentTypes.Contains("email"))
            return (true, consent);
        var others = subscription.ContentTypes.Where(t => t != "email").ToArray();
        return others.Length == 0
            ? (false, $"{consent}, but {blocked}")
            : (true, $"{consent}; not by email ({blocked}), by {string.Join(", ", others)} only");
    }
}
