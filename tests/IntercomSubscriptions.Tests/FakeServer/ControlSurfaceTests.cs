using System.Net;
using System.Reflection;
using System.Text.Json;
using FakeIntercom;

namespace IntercomSubscriptions.Tests.FakeServer;

/// <summary>
/// The fake's control surface (/_fake/…): what a test in another process (the Pester suite) reads
/// and sets over HTTP instead of through <see cref="FakeIntercomServer"/>'s members.
/// </summary>
public sealed class ControlSurfaceTests : FakeServerFixture
{
    private async Task<JsonElement> GetControlAsync(string path)
    {
        using var response = await Http.GetAsync("_fake/" + path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await JsonOf(response);
    }

    private async Task<HttpResponseMessage> SendControlAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, "_fake/" + path);
        if (json is not null) request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        return await Http.SendAsync(request);
    }

    private static Dictionary<string, string> AsDictionary(JsonElement json) =>
        json.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    [Fact]
    public async Task A_contacts_choices_read_what_the_API_changed()
    {
        using var attach = await PostJsonAsync($"contacts/{Grace}/subscriptions", $$"""{"id":"{{Newsletters}}","consent_type":"opt_in"}""");
        Assert.Equal(HttpStatusCode.OK, attach.StatusCode);

        var grace = await GetControlAsync($"contacts/{Grace}/subscriptions");
        var ada = await GetControlAsync($"contacts/{Ada}");
        var all = await GetControlAsync("choices");

        Assert.Equal(new Dictionary<string, string> { [Newsletters] = "opt_in" }, AsDictionary(grace));
        Assert.Equal(AdaEmail, ada.GetProperty("email").GetString());
        Assert.Equal(new Dictionary<string, string> { [ProductUpdates] = "opt_out" }, AsDictionary(ada.GetProperty("subscriptions")));
        Assert.Equal(new[] { Ada, Grace }, all.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task An_unknown_contact_or_path_is_a_404_that_says_what()
    {
        using var contact = await Http.GetAsync("_fake/contacts/nobody/subscriptions");
        using var path = await Http.GetAsync("_fake/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, contact.StatusCode);
        Assert.Contains("nobody", (await JsonOf(contact)).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NotFound, path.StatusCode);
        Assert.Contains("GET /_fake/nothing-here", (await JsonOf(path)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Calls_tell_what_the_simulated_other_client_sent_and_had_refused()
    {
        Server.Faults.RateLimitWindowSeconds = 100;
        Server.Faults.RateLimit = 5;
        Server.Faults.OtherClientRequestsPerWindow = 1_000_000;
        using (await Http.GetAsync("subscription_types")) { }
        var before = Server.OtherClient;

        var otherClient = (await GetControlAsync("calls?requests=false")).GetProperty("otherClient");

        var after = Server.OtherClient;
        Assert.InRange(otherClient.GetProperty("sent").GetInt32(), before.Sent, after.Sent);
        Assert.InRange(otherClient.GetProperty("refused").GetInt32(), before.Refused, after.Refused);
        var window = otherClient.GetProperty("windows").EnumerateArray().Last();
        Assert.Equal(after.Windows[^1].StartUnixSeconds, window.GetProperty("start").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.True(window.GetProperty("refused").GetInt32() > 0);
    }

    [Fact]
    public async Task Calls_count_each_endpoint_and_log_each_request_but_never_the_control_requests()
    {
        (await Http.GetAsync("subscription_types")).Dispose();
        (await PostJsonAsync($"contacts/{Grace}/subscriptions", $$"""{"id":"{{SmsOffers}}","consent_type":"opt_in"}""")).Dispose();
        (await Http.GetAsync("subscription_types")).Dispose();
        await GetControlAsync("faults");

        var calls = await GetControlAsync("calls");

        Assert.Equal(3, calls.GetProperty("total").GetInt32());
        Assert.Equal(2, calls.GetProperty("counts").GetProperty("GET /subscription_types").GetInt32());
        Assert.Equal(1, calls.GetProperty("counts").GetProperty("POST /contacts/{id}/subscriptions").GetInt32());
        var requests = calls.GetProperty("requests").EnumerateArray().ToList();
        Assert.Equal(["GET", "POST", "GET"], requests.Select(r => r.GetProperty("method").GetString()));
        Assert.Equal($"/contacts/{Grace}/subscriptions", requests[1].GetProperty("path").GetString());
        Assert.Contains(SmsOffers, requests[1].GetProperty("body").GetString());
        Assert.Equal(200, requests[1].GetProperty("status").GetInt32());
        Assert.Equal(Server.Requests.Count, requests.Count);

        var counted = await GetControlAsync("calls?requests=false");
        Assert.False(counted.TryGetProperty("requests", out _));
        using var cleared = await SendControlAsync(HttpMethod.Delete, "calls");
        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        Assert.Equal(0, (await GetControlAsync("calls")).GetProperty("total").GetInt32());
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task Knobs_are_set_by_name_and_the_API_obeys_them()
    {
        using var set = await SendControlAsync(HttpMethod.Post, "faults", """{ "ratelimit": 0, "RetryAfter": "7" }""");
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(0, (await JsonOf(set)).GetProperty("RateLimit").GetInt32());
        Assert.Equal(0, Server.Faults.RateLimit);

        using var limited = await Http.GetAsync("subscription_types");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), limited.Headers.RetryAfter?.Delta);

        using var unset = await SendControlAsync(HttpMethod.Post, "faults", """{ "RateLimit": null }""");
        Assert.Equal(HttpStatusCode.OK, unset.StatusCode);
        using var answered = await Http.GetAsync("subscription_types");
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }

    [Fact]
    public async Task Every_FaultSettings_property_is_a_knob_read_by_its_name()
    {
        var faults = await GetControlAsync("faults");

        var properties = typeof(FaultSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(properties, faults.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(10, faults.GetProperty("RateLimitWindowSeconds").GetInt32());
    }

    [Fact]
    public async Task An_unknown_knob_or_a_bad_value_is_a_400_and_changes_nothing_before_it()
    {
        using var unknown = await SendControlAsync(HttpMethod.Post, "faults", """{ "LatencyMs": 50, "Latency": 50 }""");
        using var wrongType = await SendControlAsync(HttpMethod.Post, "faults", """{ "LatencyMs": 50, "RateLimit": "many" }""");
        using var outOfRange = await SendControlAsync(HttpMethod.Post, "faults", """{ "RateLimitWindowSeconds": 0 }""");
        using var readOnly = await SendControlAsync(HttpMethod.Post, "faults", """{ "PendingScriptedCount": 3 }""");

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("'Latency'", (await JsonOf(unknown)).GetProperty("error").GetString());
        Assert.Contains("LatencyMs", (await JsonOf(unknown)).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, outOfRange.StatusCode);
        Assert.Contains("RateLimitWindowSeconds", (await JsonOf(outOfRange)).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, readOnly.StatusCode);
        Assert.Contains("read, not set", (await JsonOf(readOnly)).GetProperty("error").GetString());
        Assert.Equal(0, Server.Faults.LatencyMs);
        Assert.Equal(10, Server.Faults.RateLimitWindowSeconds);
    }

    [Fact]
    public async Task Scripted_answers_are_queued_with_their_body_as_JSON_or_text()
    {
        using var set = await SendControlAsync(HttpMethod.Post, "faults", """
            { "Scripted": [
                { "status": 503, "method": "GET", "pathContains": "/subscription_types", "times": 2,
                  "body": { "type": "error.list", "errors": [ { "code": "service_unavailable" } ] }, "headers": { "X-Scripted": "yes" } },
                { "statusCode": 200, "pathContains": "/contacts/", "body": "not json", "contentType": "text/plain" } ] }
            """);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(3, Server.Faults.PendingScriptedCount);

        using var first = await Http.GetAsync("subscription_types");
        using var second = await Http.GetAsync("subscription_types");
        using var third = await Http.GetAsync("subscription_types");
        using var text = await Http.GetAsync($"contacts/{Ada}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal("service_unavailable", (await JsonOf(first)).GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.Equal("yes", Assert.Single(first.Headers.GetValues("X-Scripted")));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal("not json", await text.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_token_can_be_revoked_and_the_app_forbidden_by_name()
    {
        using var revoke = await SendControlAsync(HttpMethod.Post, "faults", """{ "RevokeTokenFromRequest": 2 }""");
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        using var allowed = await Http.GetAsync("subscription_types");
        using var refused = await Http.GetAsync("subscription_types");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using var forbid = await SendControlAsync(HttpMethod.Post, "faults", """{ "ForbidAppFromRequest": { "request": 1, "reason": "scope" } }""");
        using var forbidden = await Http.GetAsync("subscription_types");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("forbidden", (await JsonOf(forbidden)).GetProperty("errors")[0].GetProperty("code").GetString());

        using var reset = await SendControlAsync(HttpMethod.Delete, "faults");
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        using var again = await Http.GetAsync("subscription_types");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Contacts_types_and_choices_can_be_seeded_and_the_API_serves_them()
    {
        using var types = await SendControlAsync(HttpMethod.Post, "subscription_types",
            """{ "id": "120", "name": "Webinars", "consent_type": "opt_out", "content_types": [ "email" ] }""");
        using var contacts = await SendControlAsync(HttpMethod.Post, "contacts",
            """[ { "id": "c1", "email": "c1@example.com" }, { "id": "c2", "external_id": "x-2", "role": "lead" } ]""");
        using var chose = await SendControlAsync(HttpMethod.Put, "contacts/c1/subscriptions/120", """{ "consent": "opt_out" }""");
        using var flagged = await SendControlAsync(HttpMethod.Patch, "contacts/c2", """{ "unsubscribed_from_emails": true }""");
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.OK),
            (types.StatusCode, contacts.StatusCode, chose.StatusCode, flagged.StatusCode));

        using var listed = await Http.GetAsync("contacts/c1/subscriptions");
        using var c2 = await Http.GetAsync("contacts/c2");
        Assert.Equal("120", (await JsonOf(listed)).GetProperty("data")[0].GetProperty("id").GetString());
        Assert.True((await JsonOf(c2)).GetProperty("unsubscribed_from_emails").GetBoolean());
        Assert.Equal("opt_out", Server.State.GetChoices("c1")["120"]);

        using var removed = await SendControlAsync(HttpMethod.Delete, "contacts/c1/subscriptions/120");
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Empty(Server.State.GetChoices("c1"));
        using var badConsent = await SendControlAsync(HttpMethod.Put, "contacts/c1/subscriptions/120", """{ "consent": "maybe" }""");
        Assert.Equal(HttpStatusCode.BadRequest, badConsent.StatusCode);
    }

    [Fact]
    public async Task Reset_gives_back_the_sample_workspace_with_no_faults_and_an_empty_log()
    {
        Server.State.AddContact("c9");
        Server.State.SetChoice(Grace, Newsletters, "opt_in");
        Server.Faults.LatencyMs = 500;
        (await Http.GetAsync("subscription_types")).Dispose();

        using var reset = await SendControlAsync(HttpMethod.Post, "reset");

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(0, Server.Faults.LatencyMs);
        Assert.Empty(Server.Requests);
        Assert.Empty(Server.State.GetChoices(Grace));
        Assert.Equal(new Dictionary<string, string> { [ProductUpdates] = "opt_out" }, Server.State.GetChoices(Ada));
        Assert.Throws<KeyNotFoundException>(() => Server.State.GetChoices("c9"));
    }
}
