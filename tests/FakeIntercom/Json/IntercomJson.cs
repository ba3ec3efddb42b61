using System.Text.Json.Nodes;

namespace FakeIntercom.Json;

/// <summary>The fake's records in the JSON shapes Intercom's API returns.</summary>
internal static class IntercomJson
{
    public const string WorkspaceId = "fakews01";

    public static JsonObject SubscriptionType(SubscriptionTypeRecord t)
    {
        var translations = new JsonArray { Translation(t.Locale, t.Name, t.Description) };
        foreach (var tr in t.Translations) translations.Add(Translation(tr.Locale, tr.Name, tr.Description));
        var contentTypes = new JsonArray();
        foreach (var c in t.ContentTypes) contentTypes.Add(c);
        return new JsonObject
        {
            ["type"] = "subscription",
            ["id"] = t.Id,
            ["state"] = t.State,
            ["consent_type"] = t.ConsentType,
            ["default_translation"] = Translation(t.Locale, t.Name, t.Description),
            ["translations"] = translations,
            ["content_types"] = contentTypes,
        };
    }

    /// <summary>
    /// A contact object as GET /contacts/{id}, GET /contacts and search results carry it (the fields
    /// the module reads, and the shape of the subscription-type lists from Intercom's 2.16 examples).
    /// </summary>
    public static JsonObject Contact(ContactView view)
    {
        var c = view.Contact;
        var contact = new JsonObject
        {
            ["type"] = "contact",
            ["id"] = c.Id,
            ["workspace_id"] = WorkspaceId,
            ["external_id"] = c.ExternalId,
            ["role"] = c.Role,
            ["email"] = c.Email,
            ["phone"] = null,
            ["name"] = null,
            ["has_hard_bounced"] = c.HasHardBounced,
            ["marked_email_as_spam"] = c.MarkedEmailAsSpam,
            ["unsubscribed_from_emails"] = c.UnsubscribedFromEmails,
            ["created_at"] = ContactTimestamp,
            ["updated_at"] = ContactTimestamp,
            ["tags"] = new JsonObject
            {
                ["type"] = "list", ["data"] = new JsonArray(), ["url"] = $"/contacts/{c.Id}/tags", ["total_count"] = 0, ["has_more"] = false,
            },
        };
        if (view.ListShape != SubscriptionListShape.Missing)
        {
            contact["opted_out_subscription_types"] = SubscriptionTypeList(c.Id, view, "opt_out");
            contact["opted_in_subscription_types"] = SubscriptionTypeList(c.Id, view, "opt_in");
        }
        return contact;
    }

    public static JsonObject List(IEnumerable<JsonNode> items)
    {
        var data = new JsonArray();
        foreach (var item in items) data.Add(item);
        return new JsonObject { ["type"] = "list", ["data"] = data };
    }

    // Any fixed time: nothing reads it, but real contact objects always carry it.
    private const long ContactTimestamp = 1734537421;

    private static JsonObject SubscriptionTypeList(string contactId, ContactView view, string consent)
    {
        var ids = view.Choices.Where(ch => ch.Value == consent).Select(ch => ch.Key).ToList();
        var hasMore = view.ListShape == SubscriptionListShape.HasMore;
        var data = new JsonArray();
        foreach (var id in hasMore ? ids.Take(1) : ids)
            data.Add(new JsonObject { ["type"] = "subscription", ["id"] = id, ["url"] = $"/subscription_types/{id}" });
        return new JsonObject
        {
            ["type"] = "list",
            ["data"] = data,
            ["url"] = $"/contacts/{contactId}/subscriptions",
            ["total_count"] = ids.Count,
            ["has_more"] = hasMore,
        };
    }

    private static JsonObject Translation(string locale, string name, string? description) =>
        new() { ["name"] = name, ["description"] = description, ["locale"] = locale };
}
