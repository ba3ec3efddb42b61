using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>From the engine's plain results to the public models PowerShell emits.</summary>
internal static class ModelMapper
{
    public static SubscriptionType ToSubscriptionType(SubscriptionTypeData data)
    {
        var main = data.DefaultTranslation ?? (data.Translations.Count > 0 ? data.Translations[0] : null);
        return new SubscriptionType
        {
            Id = data.Id,
            Name = main?.Name,
            Description = main?.Description,
            Locale = main?.Locale,
            State = data.State,
            ConsentType = data.ConsentType,
            ContentTypes = new ValueList<string>(data.ContentTypes),
            // A translation's name may hold a comma; "; " keeps the exported text readable.
            Translations = new ValueList<SubscriptionTypeTranslation>(data.Translations
                .Select(t => new SubscriptionTypeTranslation { Name = t.Name, Description = t.Description, Locale = t.Locale }), "; "),
        };
    }

    public static ContactSubscription ToContactSubscription(string contactId, SubscriptionType type, SubscriptionSource source) => new()
    {
        ContactId = contactId,
        SubscriptionId = type.Id,
        Name = type.Name,
        Description = type.Description,
        ConsentType = type.ConsentType,
        State = type.State,
        ContentTypes = type.ContentTypes,
        Source = source,
        Subscribed = IsSubscribed(type.ConsentType, source),
    };

    public static ContactSubscription ToContactSubscription(string contactId, SubscriptionTypeData data, SubscriptionSource source) =>
        ToContactSubscription(contactId, ToSubscriptionType(data), source);

    /// <summary>Intercom's semantics: an explicit choice flips the type's default.</summary>
    internal static bool? IsSubscribed(string? consentType, SubscriptionSource source) => consentType switch
    {
        "opt_in" => source == SubscriptionSource.Explicit,
        "opt_out" => source == SubscriptionSource.Default,
        _ => null,
    };
}
