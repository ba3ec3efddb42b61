namespace IntercomSubscriptions.Engine;

// Plain results of the engine. The cmdlet layer maps them to the public models PowerShell sees.

public sealed record TranslationData(string? Name, string? Description, string? Locale);

public sealed record SubscriptionTypeData(
    string Id,
    string? State,
    string? ConsentType,
    TranslationData? DefaultTranslation,
    IReadOnlyList<TranslationData> Translations,
    IReadOnlyList<string> ContentTypes);

public sealed record ContactData(string Id, string? Email, string? ExternalId, string? Role);

public enum ContactSearchField
{
    Email,
    ExternalId,
}
