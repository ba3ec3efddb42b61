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
