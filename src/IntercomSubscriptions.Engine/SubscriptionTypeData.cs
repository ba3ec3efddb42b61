namespace IntercomSubscriptions.Engine;

/// <summary>A subscription type as Intercom lists it, read tolerantly; the cmdlet layer maps it to SubscriptionType.</summary>
internal sealed record SubscriptionTypeData(
    string Id,
    string? State,
    string? ConsentType,
    TranslationData? DefaultTranslation,
    IReadOnlyList<TranslationData> Translations,
    IReadOnlyList<string> ContentTypes);
