namespace IntercomSubscriptions.Engine;

/// <summary>
/// A contact as GET /contacts and GET /contacts/{id} return it, with what decides whether email
/// reaches it. <see cref="OptedIn"/> and <see cref="OptedOut"/> are the subscription type ids of its
/// explicit choices, or null when the contact object did not carry that list whole (absent, or
/// <c>has_more</c>): then only the contact's own subscriptions endpoint knows. A flag Intercom left
/// out reads false.
/// </summary>
internal sealed record ContactConsentData(
    string Id,
    string? Email,
    string? ExternalId,
    bool UnsubscribedFromEmails,
    bool HasHardBounced,
    bool MarkedEmailAsSpam,
    IReadOnlyList<string>? OptedIn,
    IReadOnlyList<string>? OptedOut)
{
    /// <summary>Both lists are whole: the contact's explicit choices are known without another call.</summary>
    public bool ChoicesComplete => OptedIn is not null && OptedOut is not null;
}
