using System.Net;
using System.Net.Http.Headers;
using System.Text;
using static IntercomSubscriptions.Engine.Tests.ScriptedHandler;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>
/// The engine's HTTP behaviour driven through its seam: a scripted primary handler answers, a
/// virtual clock stands in for time. No server, no runspace; waits of seconds take none.
/// </summary>
public sealed class IntercomTransportTests
{
    private const string Contact = "63a07ddf05a32042dffac965";

    private static Func<IntercomClient, IIntercomEventSink, CancellationToken, Task<SubscriptionTypeData>> Attach(string type = "108") =>
        (client, events, ct) => client.AttachSubscriptionAsync(Contact, type, "opt_in", events, ct);

    private static readonly Func<IntercomClient, IIntercomEventSink, CancellationToken, Task<IReadOnlyList<SubscriptionTypeData>>> ListTypes =
        (client, events, ct) => client.ListSubscriptionTypesAsync(events, ct);

    [Fact]
    public async Task A_request_carries_the_token_the_version_an_escaped_path_and_a_string_id()
    {
        using var h = new EngineHarness(Json(HttpStatusCode.OK, SubscriptionType("108")));
        var result = await h.Drive(Attach());

        Assert.Equal("108", result.Id);
        var sent = Assert.Single(h.Handler.Sent);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal($"/contacts/{Contact}/subscriptions", sent.PathAndQuery);
        Assert.Equal("""{"id":"108","consent_type":"opt_in"}""", sent.Body);
        Assert.Equal("Bearer " + EngineHarness.Token, sent.Authorization);
        Assert.Equal(IntercomEndpoints.DefaultApiVersion, sent.ApiVersion);
    }

    [Fact]
    public async Task A_5xx_is_retried_after_a_back_off_and_the_retry_is_announced()
    {
        using var h = new EngineHarness(Error(HttpStatusCode.ServiceUnavailable, "service_unavailable", "busy"), Json(HttpStatusCode.OK, List(SubscriptionType("108"))));
        var types = await h.Drive(ListTypes);

        Assert.Single(types);
        Assert.Equal(2, h.Handler.Sent.Count);
        Assert.True(h.Handler.Sent[1].At > h.Handler.Sent[0].At, "the retry waited for its back-off");
        Assert.Contains(h.Events.VerboseLines, line => line.Contains("HTTP 503") && line.Contains("retry 1 of 3"));
    }

    [Fact]
    public async Task A_5xx_that_persists_fails_as_a_server_error_after_MaxRetries_plus_one_attempts()
    {
        using var h = new EngineHarness(Error(HttpStatusCode.BadGateway, "bad_gateway", "upstream down"));
        var error = await h.Fails(ListTypes);

        Assert.Equal(IntercomErrorKind.ServerError, error.Kind);
        Assert.Equal(502, error.StatusCode);
        Assert.Equal("req-502", error.RequestId);
        Assert.Equal(4, h.Handler.Sent.Count);
    }

    [Fact]
    public async Task A_429_with_Retry_After_holds_the_next_request_for_that_long()
    {
        using var h = new EngineHarness(
            Error(HttpStatusCode.TooManyRequests, "rate_limit_exceeded", "slow down", headers => headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7))),
            Json(HttpStatusCode.OK, SubscriptionType("108")));
        await h.Drive(Attach());

        Assert.Equal(2, h.Handler.Sent.Count);
        Assert.True(h.Handler.Sent[1].At - h.Handler.Sent[0].At >= TimeSpan.FromSeconds(7));
    }

    [Fact]
    public async Task A_429_with_rate_limit_headers_holds_the_next_request_until_the_window_resets()
    {
        var reset = VirtualClock.Start + TimeSpan.FromSeconds(9);
        using var h = new EngineHarness(
            Error(HttpStatusCode.TooManyRequests, "rate_limit_exceeded", "slow down", RateLimit(100, 0, reset)),
            Json(HttpStatusCode.OK, SubscriptionType("108")));
        await h.Drive(Attach());

        Assert.Equal(2, h.Handler.Sent.Count);
        Assert.True(h.Handler.Sent[1].At >= reset, $"sent at {h.Handler.Sent[1].At:O}, window resets at {reset:O}");
    }

    [Fact]
    public async Task A_redirect_is_reported_with_its_path_and_not_followed()
    {
        using var h = new EngineHarness(Body(HttpStatusCode.Found, new StringContent(""), headers => headers.Location = new Uri("https://login.example.test/portal?session=secret")));
        var error = await h.Fails(ListTypes);

        Assert.Equal(IntercomErrorKind.InvalidResponse, error.Kind);
        Assert.Contains("redirect to https://login.example.test/portal", error.Message);
        Assert.DoesNotContain("secret", error.Message);
        Assert.DoesNotContain("Connect-Intercom", error.Message);
        Assert.DoesNotContain("-BaseUri", error.Message);
        Assert.Single(h.Handler.Sent);
    }

    [Fact]
    public async Task An_answer_declared_larger_than_the_cap_is_refused_unread()
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("{}"));
        content.Headers.ContentLength = 100L * 1024 * 1024;
        using var h = new EngineHarness(Body(HttpStatusCode.OK, content));
        var error = await h.Fails(ListTypes);

        Assert.Equal(IntercomErrorKind.InvalidResponse, error.Kind);
        Assert.Contains("larger than 16 MiB (104857600 bytes)", error.Message);
    }

    [Fact]
    public async Task An_undeclared_answer_is_read_only_up_to_the_cap()
    {
        var body = new GeneratedBody(64L * 1024 * 1024);
        using var h = new EngineHarness(options => options.MaxResponseBytes = 1024 * 1024, Body(HttpStatusCode.OK, new StreamContent(body)));
        var error = await h.Fails(ListTypes);

        Assert.Equal(IntercomErrorKind.InvalidResponse, error.Kind);
        Assert.Contains("larger than 1 MiB", error.Message);
        Assert.True(body.Served <= 1024 * 1024 + 128 * 1024, $"read {body.Served} bytes of a 1 MiB cap");
    }

    [Fact]
    public async Task An_HTML_page_from_a_proxy_is_an_invalid_response_on_200_and_a_server_error_on_502()
    {
        using var ok = new EngineHarness(Body(HttpStatusCode.OK, new StringContent("<html>Sign in</html>", Encoding.UTF8, "text/html")));
        var error = await ok.Fails(ListTypes);
        Assert.Equal(IntercomErrorKind.InvalidResponse, error.Kind);
        Assert.Contains("text/html body, not JSON", error.Message);

        using var gateway = new EngineHarness(options => options.MaxRetries = 0, Body(HttpStatusCode.BadGateway, new StringContent("<html>Bad gateway</html>", Encoding.UTF8, "text/html")));
        error = await gateway.Fails(ListTypes);
        Assert.Equal(IntercomErrorKind.ServerError, error.Kind);
        Assert.Contains("text/html body that is not an Intercom error list", error.Message);
    }

    [Fact]
    public async Task Invalid_JSON_is_an_invalid_response()
    {
        using var h = new EngineHarness(Json(HttpStatusCode.OK, """{"type":"list","data":[{"id":"108",""" ));
        var error = await h.Fails(ListTypes);

        Assert.Equal(IntercomErrorKind.InvalidResponse, error.Kind);
        Assert.Contains("not valid JSON", error.Message);
        Assert.Single(h.Handler.Sent);
    }

    [Fact]
    public async Task A_dropped_connection_is_retried_then_reported_as_a_connection_failure()
    {
        using var h = new EngineHarness(Drop());
        var error = await h.Fails(ListTypes);

        Assert.Equal(IntercomErrorKind.ConnectionFailed, error.Kind);
        Assert.Contains("(4 attempts)", error.Message);
        Assert.Equal(4, h.Handler.Sent.Count);

        using var once = new EngineHarness(options => options.MaxRetries = 0, Drop());
        error = await once.Fails(ListTypes);
        Assert.Contains("1 attempt, no retries", error.Message);
        Assert.Single(once.Handler.Sent);
    }

    [Fact]
    public async Task A_request_that_gets_no_answer_times_out_after_each_attempt()
    {
        using var h = new EngineHarness(options => { options.Timeout = TimeSpan.FromSeconds(5); options.MaxRetries = 1; }, Hang());
        var error = await h.Fails(ListTypes, horizon: TimeSpan.MaxValue);

        Assert.Equal(IntercomErrorKind.Timeout, error.Kind);
        Assert.Equal(2, h.Handler.Sent.Count);
    }

    [Fact]
    public async Task What_a_404_means_is_said_by_the_call()
    {
        using var type = new EngineHarness(Error(HttpStatusCode.NotFound, "not_found", "Resource Not Found"));
        Assert.Equal(IntercomErrorKind.SubscriptionTypeNotFound, (await type.Fails(Attach())).Kind);

        // A contact's list of subscriptions exists while the contact does: its 404 is the contact's, whatever the text.
        using var list = new EngineHarness(Error(HttpStatusCode.NotFound, "not_found", "Resource Not Found"));
        Assert.Equal(IntercomErrorKind.ContactNotFound,
            (await list.Fails((client, events, ct) => client.ListContactSubscriptionsAsync(Contact, events, ct))).Kind);

        using var types = new EngineHarness(Error(HttpStatusCode.NotFound, "not_found", "Resource Not Found"));
        Assert.Equal(IntercomErrorKind.NotFound, (await types.Fails(ListTypes)).Kind);

        using var contact = new EngineHarness(Error(HttpStatusCode.NotFound, "not_found", "User Not Found"));
        Assert.Equal(IntercomErrorKind.ContactNotFound, (await contact.Fails(Attach())).Kind);
    }

    [Fact]
    public async Task A_404_is_classified_by_the_resource_asked_for_not_by_an_unexpected_message()
    {
        // A change names a contact and a type: only Intercom's documented messages say which is missing.
        using var change = new EngineHarness(Error(HttpStatusCode.NotFound, "not_found", "Contact could not be found"));
        Assert.Equal(IntercomErrorKind.NotFound, (await change.Fails(Attach())).Kind);

        using var html = new EngineHarness(Body(HttpStatusCode.NotFound, new StringContent("<html>Not here</html>", Encoding.UTF8, "text/html")));
        Assert.Equal(IntercomErrorKind.NotFound, (await html.Fails((client, events, ct) => client.DetachSubscriptionAsync(Contact, "108", events, ct))).Kind);

        // A read of one contact names only the contact: its 404 is that contact's, whatever the text.
        using var contact = new EngineHarness(Error(HttpStatusCode.NotFound, "not_found", "Resource Not Found"));
        Assert.Equal(IntercomErrorKind.ContactNotFound, (await contact.Fails((client, events, ct) => client.GetContactAsync(Contact, events, ct))).Kind);
    }

    [Fact]
    public async Task A_token_echoed_back_by_a_proxy_is_taken_out_of_the_error()
    {
        using var h = new EngineHarness(options => options.MaxRetries = 0,
            Error(HttpStatusCode.BadRequest, "bad", "you sent Bearer " + EngineHarness.Token + " \\u001b[31m"));
        var error = await h.Fails(ListTypes);

        Assert.DoesNotContain(EngineHarness.Token, error.Message);
        Assert.Contains("****", error.Message);
        Assert.DoesNotContain('\u001b', error.Message); // a char: culture comparison would ignore it
    }

    [Fact]
    public async Task A_closed_client_sends_nothing_and_says_so_without_naming_cmdlets()
    {
        using var h = new EngineHarness(Json(HttpStatusCode.OK, List()));
        h.Client.Dispose();
        var error = await Assert.ThrowsAsync<ObjectDisposedException>(() => h.Drive(ListTypes));

        Assert.DoesNotContain("Connect-Intercom", error.Message);
        Assert.Empty(h.Handler.Sent);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, "unauthorized")]
    [InlineData(HttpStatusCode.Unauthorized, "token_not_found")]
    [InlineData(HttpStatusCode.Forbidden, "api_plan_restricted")]
    public async Task After_Intercom_refuses_the_token_nothing_more_is_sent(HttpStatusCode status, string code)
    {
        var kind = status == HttpStatusCode.Unauthorized ? IntercomErrorKind.Unauthorized : IntercomErrorKind.Forbidden;
        using var h = new EngineHarness(Error(status, code, "Access Token Invalid"), Json(HttpStatusCode.OK, SubscriptionType("108")));
        var first = await h.Fails(Attach());
        var later = await h.Fails(Attach());
        var other = await h.Fails(ListTypes);

        Assert.Equal(kind, first.Kind);
        Assert.All(new[] { later, other }, error =>
        {
            Assert.Equal(kind, error.Kind);
            Assert.Equal((int)status, error.StatusCode);
            Assert.Contains("Not sent: Intercom refused this connection's token on an earlier request (Access Token Invalid)", error.Message);
        });
        Assert.Single(h.Handler.Sent);
    }

    [Fact]
    public async Task A_403_about_one_record_does_not_stop_the_connection()
    {
        using var h = new EngineHarness(Error(HttpStatusCode.Forbidden, "action_forbidden", "Not allowed for this contact"), Json(HttpStatusCode.OK, SubscriptionType("108")));
        Assert.Equal(IntercomErrorKind.Forbidden, (await h.Fails(Attach())).Kind);
        Assert.Equal("108", (await h.Drive(Attach())).Id);
        Assert.Equal(2, h.Handler.Sent.Count);
    }

    [Fact]
    public async Task With_no_retries_no_connection_is_reused_so_the_handler_cannot_resend_a_request_either()
    {
        // SocketsHttpHandler re-sends a request once when its pooled connection was found closed; only
        // a connection that is never reused rules that out.
        using var once = new EngineHarness(options => options.MaxRetries = 0, Json(HttpStatusCode.OK, SubscriptionType("108")));
        await once.Drive((client, events, ct) => client.DetachSubscriptionAsync(Contact, "108", events, ct));
        Assert.True(Assert.Single(once.Handler.Sent).ConnectionClose);

        using var pooled = new EngineHarness(Json(HttpStatusCode.OK, SubscriptionType("108")));
        await pooled.Drive((client, events, ct) => client.DetachSubscriptionAsync(Contact, "108", events, ct));
        Assert.False(Assert.Single(pooled.Handler.Sent).ConnectionClose);
    }
}
