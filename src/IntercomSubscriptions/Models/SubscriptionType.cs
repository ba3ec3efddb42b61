namespace IntercomSubscriptions;

/// <summary>A subscription type of the workspace (Get-IntercomSubscriptionType).</summary>
public sealed class SubscriptionType
{
    /// <summary>Intercom's id, e.g. "108". Binds to Get-IntercomSubscriptionType -Id by property name.</summary>
    public string Id { get; set; } = "";

    /// <summary>
    /// The id again, under the name that binds to -SubscriptionId of Add-/Remove-IntercomContactSubscription
    /// (Get-IntercomSubscriptionType -Id 110 | Add-IntercomContactSubscription -ContactId …). -SubscriptionId
    /// has no "Id" alias on purpose: a contacts CSV's id column must not bind as a subscription type.
    /// </summary>
    public string SubscriptionId => Id;
    /// <summary>The default translation's name.</summary>
    public string? Name { get; set; }
    public string? Description { get; set; }
    public string? Locale { get; set; }
    /// <summary>live, draft or archived; an unknown value is kept as Intercom sent it.</summary>
    public string? State { get; set; }
    /// <summary>opt_in (not subscribed until the contact opts in) or opt_out (subscribed until the contact opts out).</summary>
    public string? ConsentType { get; set; }
    /// <summary>email, sms_message, …; exported as "email, sms_message".</summary>
    public ValueList<string> ContentTypes { get; set; } = new(Array.Empty<string>());
    /// <summary>Every translation; exported as "en: Newsletters; fr: Lettre d'information" (locale and name; the descriptions stay on the objects).</summary>
    public ValueList<SubscriptionTypeTranslation> Translations { get; set; } = new(Array.Empty<SubscriptionTypeTranslation>());

    public override string ToString() => Name is null ? Id : $"{Id} ({Name})";
}
