namespace IntercomSubscriptions.Engine;

// Plain results of the engine. The cmdlet layer maps them to the public models PowerShell sees.

internal sealed record TranslationData(string? Name, string? Description, string? Locale);

internal sealed record SubscriptionTypeData(
    string Id,
    string? State,
    string? ConsentType,
    TranslationData? DefaultTranslation,
    IReadOnlyList<TranslationData> Translations,
    IReadOnlyList<string> ContentTypes);

internal sealed record ContactData(string Id, string? Email, string? ExternalId, string? Role);

internal enum ContactSearchField
{
    Email,
    ExternalId,
}

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

/// <summary>One page of GET /contacts: its contacts, the cursor of the next page (null on the last), and Intercom's total.</summary>
internal sealed record ContactPageData(IReadOnlyList<ContactConsentData> Contacts, string? NextCursor, long? TotalCount);
