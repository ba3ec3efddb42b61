using System.Text.Json.Nodes;

namespace FakeIntercom.Control;

/// <summary>The fake's state and request log as the control surface shows them.</summary>
internal static class ControlJson
{
    public static JsonObject Calls(FakeIntercomServer server, bool includeRequests)
    {
        var counts = new JsonObject();
        var total = 0;
        foreach (var (endpoint, count) in server.CallCounts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            counts[endpoint] = count;
            total += count;
        }
        var calls = new JsonObject
        {
            ["total"] = total,
            ["counts"] = counts,
            ["maxConcurrent"] = server.MaxConcurrentRequests,
            ["whileExhausted"] = server.RequestsWhileExhausted,
            ["otherClient"] = OtherClient(server.OtherClient),
        };
        if (includeRequests)
            calls["requests"] = new JsonArray(server.Requests.Select(Request).ToArray<JsonNode?>());
        return calls;
    }

    private static JsonObject OtherClient(OtherClientCounts counts) => new()
    {
        ["sent"] = counts.Sent,
        ["refused"] = counts.Refused,
        ["windows"] = new JsonArray(counts.Windows.Select(w => (JsonNode?)new JsonObject
        {
            ["start"] = DateTimeOffset.FromUnixTimeSeconds(w.StartUnixSeconds),
            ["sent"] = w.Sent,
            ["refused"] = w.Refused,
        }).ToArray()),
    };

    private static JsonObject Request(RecordedRequest r) => new()
    {
        ["receivedAt"] = r.ReceivedAt,
        ["completedAt"] = r.CompletedAt,
        ["method"] = r.Method,
        ["path"] = r.RawPath,
        ["query"] = r.Query,
        ["intercomVersion"] = r.IntercomVersion,
        ["authorization"] = r.Authorization,
        ["body"] = r.Body,
        ["status"] = r.StatusCode,
        ["dropped"] = r.Dropped,
        ["whileExhausted"] = r.WhileExhausted,
        ["countedInWindowEndingAt"] = r.CountedInWindowEndingAt is { } reset ? DateTimeOffset.FromUnixTimeSeconds(reset) : null,
    };

    public static JsonObject SubscriptionType(SubscriptionTypeRecord t) => new()
    {
        ["id"] = t.Id,
        ["name"] = t.Name,
        ["consent_type"] = t.ConsentType,
        ["state"] = t.State,
        ["content_types"] = new JsonArray(t.ContentTypes.Select(c => (JsonNode?)c).ToArray()),
        ["description"] = t.Description,
        ["locale"] = t.Locale,
    };

    public static JsonObject Contact(FakeIntercomState state, string id)
    {
        var c = state.FindContact(id)?.Contact ?? throw new KeyNotFoundException($"Unknown contact '{id}'.");
        return new JsonObject
        {
            ["id"] = c.Id,
            ["email"] = c.Email,
            ["external_id"] = c.ExternalId,
            ["role"] = c.Role,
            ["unsubscribed_from_emails"] = c.UnsubscribedFromEmails,
            ["has_hard_bounced"] = c.HasHardBounced,
            ["marked_email_as_spam"] = c.MarkedEmailAsSpam,
            ["subscriptions"] = Choices(state.GetChoices(id)),
        };
    }

    /// <summary>Explicit choices as { "typeId": "opt_in" | "opt_out" }, in type id order.</summary>
    public static JsonObject Choices(IReadOnlyDictionary<string, string> choices)
    {
        var json = new JsonObject();
        foreach (var (typeId, consent) in choices.OrderBy(c => c.Key, StringComparer.Ordinal)) json[typeId] = consent;
        return json;
    }

    /// <summary>Every contact that has an explicit choice: { "contactId": { "typeId": consent } }.</summary>
    public static JsonObject AllChoices(FakeIntercomState state)
    {
        var json = new JsonObject();
        foreach (var (contactId, choices) in state.ContactsWithChoices()) json[contactId] = Choices(choices);
        return json;
    }
}
