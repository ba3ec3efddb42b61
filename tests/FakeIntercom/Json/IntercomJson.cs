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

    public static JsonObject List(IEnumerable<JsonNode> items)
    {
        var data = new JsonArray();
        foreach (var item in items) data.Add(item);
        return new JsonObject { ["type"] = "list", ["data"] = data };
    }

    private static JsonObject Translation(string locale, string name, string? description) =>
        new() { ["name"] = name, ["description"] = description, ["locale"] = locale };
}
