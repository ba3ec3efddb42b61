using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FakeIntercom.Json;
using Microsoft.AspNetCore.Http;

namespace FakeIntercom.Control;

/// <summary>
/// The fake's own HTTP surface under <c>/_fake/</c>, for a test that drives the fake from another
/// process (the Pester suite): read the workspace and the request log, set fault knobs by name,
/// seed contacts and choices, reset. Served before the Intercom pipeline, so its requests are never
/// logged, counted, delayed, rate-limited or refused; answered only to loopback callers.
/// </summary>
internal sealed class ControlSurface(FakeIntercomServer server)
{
    public const string Prefix = "/_fake";

    private static readonly JsonSerializerOptions JsonIn = new() { PropertyNameCaseInsensitive = true };

    public static bool Owns(PathString path) =>
        path.StartsWithSegments(Prefix, StringComparison.Ordinal);

    public async Task HandleAsync(HttpContext ctx)
    {
        if (ctx.Connection.RemoteIpAddress is { } remote && !IPAddress.IsLoopback(remote))
        {
            await WriteAsync(ctx, 403, Problem("The control surface answers loopback callers only."));
            return;
        }

        var segments = ctx.Request.Path.Value!.Trim('/').Split('/').Skip(1).Select(Uri.UnescapeDataString).ToArray();
        var method = ctx.Request.Method.ToUpperInvariant();
        string? body;
        using (var reader = new StreamReader(ctx.Request.Body))
            body = await reader.ReadToEndAsync(ctx.RequestAborted);

        (int Status, JsonNode? Json) answer;
        try
        {
            answer = Dispatch(method, segments, body, ctx.Request.Query);
        }
        catch (ControlRequestException ex)
        {
            answer = (ex.Status, Problem(ex.Message));
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or FormatException or InvalidOperationException)
        {
            answer = (400, Problem(ex.Message));
        }
        catch (KeyNotFoundException ex)
        {
            answer = (404, Problem(ex.Message));
        }
        await WriteAsync(ctx, answer.Status, answer.Json);
    }

    private (int, JsonNode?) Dispatch(string method, string[] s, string? body, IQueryCollection query) => (method, s) switch
    {
        ("GET", []) => (200, Index()),
        ("POST", ["reset"]) => Reset(),

        ("GET", ["calls"]) => (200, ControlJson.Calls(server, includeRequests: query["requests"] != "false")),
        ("DELETE", ["calls"]) => Done(server.ResetLog),

        ("GET", ["faults"]) => (200, FaultKnobs.Read(server.Faults)),
        ("POST", ["faults"]) => (200, FaultKnobs.Apply(server.Faults, ParseObject(body))),
        ("DELETE", ["faults"]) => Done(server.Faults.Reset),

        ("GET", ["subscription_types"]) => (200, new JsonArray(server.State.SubscriptionTypes.Select(ControlJson.SubscriptionType).ToArray<JsonNode?>())),
        ("POST", ["subscription_types"]) => AddSubscriptionTypes(body),

        ("GET", ["choices"]) => (200, ControlJson.AllChoices(server.State)),
        ("POST", ["contacts"]) => AddContacts(body),
        ("GET", ["contacts", var id]) => (200, ControlJson.Contact(server.State, id)),
        ("PATCH", ["contacts", var id]) => SetEmailStatus(id, body),
        ("GET", ["contacts", var id, "subscriptions"]) => (200, ControlJson.Choices(server.State.GetChoices(id))),
        ("PUT", ["contacts", var id, "subscriptions", var typeId]) => SetChoice(id, typeId, body),
        ("DELETE", ["contacts", var id, "subscriptions", var typeId]) => RemoveChoice(id, typeId),

        _ => throw new ControlRequestException(404, $"The control surface has no '{method} {Prefix}/{string.Join('/', s)}': GET {Prefix} lists what it has."),
    };

    private (int, JsonNode?) Reset()
    {
        server.Faults.Reset();
        server.ResetLog();
        server.State.Clear();
        if (server.SeededSampleData) server.State.AddSampleData();
        return (204, null);
    }

    private static (int, JsonNode?) Done(Action action)
    {
        action();
        return (204, null);
    }

    private (int, JsonNode?) AddSubscriptionTypes(string? body)
    {
        var added = new JsonArray();
        foreach (var t in ParseOneOrMany<SubscriptionTypeInput>(body))
        {
            if (string.IsNullOrEmpty(t.Id) || string.IsNullOrEmpty(t.Name)) throw new ArgumentException("A subscription type needs an id and a name.");
            added.Add(ControlJson.SubscriptionType(server.State.AddSubscriptionType(
                t.Id, t.Name, t.ConsentType ?? "opt_in", t.State ?? "live", t.ContentTypes, t.Description, t.Locale ?? "en")));
        }
        return (201, added);
    }

    private (int, JsonNode?) AddContacts(string? body)
    {
        var contacts = ParseOneOrMany<ContactInput>(body).Select(c => string.IsNullOrEmpty(c.Id)
                ? throw new ArgumentException("A contact needs an id.")
                : new ContactRecord(c.Id, c.Email, c.ExternalId, c.Role ?? "user",
                    c.UnsubscribedFromEmails ?? false, c.HasHardBounced ?? false, c.MarkedEmailAsSpam ?? false))
            .ToList();
        server.State.AddContacts(contacts);
        return (201, new JsonObject { ["added"] = contacts.Count });
    }

    private (int, JsonNode?) SetEmailStatus(string id, string? body)
    {
        var flags = Deserialize<ContactInput>(body);
        server.State.SetEmailStatus(id, flags.UnsubscribedFromEmails, flags.HasHardBounced, flags.MarkedEmailAsSpam);
        return (200, ControlJson.Contact(server.State, id));
    }

    private (int, JsonNode?) SetChoice(string id, string typeId, string? body)
    {
        var consent = Deserialize<ChoiceInput>(body).Consent;
        if (consent is not ("opt_in" or "opt_out")) throw new ArgumentException($"consent must be opt_in or opt_out, not '{consent}'.");
        server.State.SetChoice(id, typeId, consent);
        return (200, ControlJson.Choices(server.State.GetChoices(id)));
    }

    private (int, JsonNode?) RemoveChoice(string id, string typeId) => server.State.TryRemoveChoice(id, typeId, out _) switch
    {
        FakeIntercomState.ChoiceResult.UnknownContact => throw new KeyNotFoundException($"Unknown contact '{id}'."),
        FakeIntercomState.ChoiceResult.UnknownType => throw new KeyNotFoundException($"Unknown subscription type '{typeId}'."),
        _ => (200, ControlJson.Choices(server.State.GetChoices(id))),
    };

    private static JsonObject Index() => new()
    {
        ["endpoints"] = new JsonArray(
            "GET /_fake", "POST /_fake/reset",
            "GET /_fake/calls[?requests=false]", "DELETE /_fake/calls",
            "GET /_fake/faults", "POST /_fake/faults", "DELETE /_fake/faults",
            "GET /_fake/subscription_types", "POST /_fake/subscription_types",
            "GET /_fake/choices", "POST /_fake/contacts", "GET /_fake/contacts/{id}", "PATCH /_fake/contacts/{id}",
            "GET /_fake/contacts/{id}/subscriptions", "PUT /_fake/contacts/{id}/subscriptions/{typeId}",
            "DELETE /_fake/contacts/{id}/subscriptions/{typeId}"),
        ["knobs"] = new JsonArray(FaultKnobs.Names.Select(n => (JsonNode?)n).ToArray()),
    };

    private static JsonElement ParseObject(string? body)
    {
        var root = JsonDocument.Parse(string.IsNullOrWhiteSpace(body) ? "{}" : body).RootElement;
        return root.ValueKind == JsonValueKind.Object ? root : throw new ArgumentException("The body must be a JSON object.");
    }

    private static T Deserialize<T>(string? body) =>
        JsonSerializer.Deserialize<T>(string.IsNullOrWhiteSpace(body) ? "{}" : body, JsonIn) ?? throw new ArgumentException("The body is null.");

    /// <summary>A JSON object or an array of them (PowerShell's ConvertTo-Json writes one item of an array as an object).</summary>
    private static List<T> ParseOneOrMany<T>(string? body)
    {
        var root = JsonDocument.Parse(string.IsNullOrWhiteSpace(body) ? "[]" : body).RootElement;
        return root.ValueKind == JsonValueKind.Array
            ? root.EnumerateArray().Select(e => e.Deserialize<T>(JsonIn) ?? throw new ArgumentException("An item is null.")).ToList()
            : [root.Deserialize<T>(JsonIn) ?? throw new ArgumentException("The body is null.")];
    }

    private static JsonObject Problem(string message) => new() { ["error"] = message };

    private static async Task WriteAsync(HttpContext ctx, int status, JsonNode? json)
    {
        ctx.Response.StatusCode = status;
        if (json is null) return;
        ctx.Response.ContentType = ResponseWriter.JsonContentType;
        await ctx.Response.WriteAsync(json.ToJsonString(), ctx.RequestAborted);
    }

    // What the POST, PUT and PATCH bodies may hold: Intercom's snake_case names, matched without regard to case.
    private sealed record SubscriptionTypeInput(
        string? Id, string? Name,
        [property: System.Text.Json.Serialization.JsonPropertyName("consent_type")] string? ConsentType,
        string? State,
        [property: System.Text.Json.Serialization.JsonPropertyName("content_types")] IReadOnlyList<string>? ContentTypes,
        string? Description, string? Locale);

    private sealed record ContactInput(
        string? Id, string? Email,
        [property: System.Text.Json.Serialization.JsonPropertyName("external_id")] string? ExternalId,
        string? Role,
        [property: System.Text.Json.Serialization.JsonPropertyName("unsubscribed_from_emails")] bool? UnsubscribedFromEmails,
        [property: System.Text.Json.Serialization.JsonPropertyName("has_hard_bounced")] bool? HasHardBounced,
        [property: System.Text.Json.Serialization.JsonPropertyName("marked_email_as_spam")] bool? MarkedEmailAsSpam);

    private sealed record ChoiceInput(string? Consent);
}

/// <summary>A control request the surface refuses, with the status to answer.</summary>
internal sealed class ControlRequestException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
