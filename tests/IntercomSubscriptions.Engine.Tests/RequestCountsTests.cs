using System.Net;
using System.Net.Http.Headers;
using static IntercomSubscriptions.Engine.Tests.ScriptedHandler;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>
/// What a run summary reads from the engine: requests, retries and 429s, counted by the transport
/// where each happens and reported to the sink passed with each call.
/// </summary>
public sealed class RequestCountsTests
{
    private const string Contact = "63a07ddf05a32042dffac965";

    private static Func<IntercomClient, IIntercomEventSink, CancellationToken, Task<SubscriptionTypeData>> Attach(IIntercomEventSink? sink = null) =>
        (client, events, ct) => client.AttachSubscriptionAsync(Contact, "108", "opt_in", sink ?? events, ct);

    private static (long Requests, long Retries, long RateLimited) Of(RequestCounts counts) => (counts.Requests, counts.Retries, counts.RateLimitedAnswers);

    [Fact]
    public async Task A_5xx_then_a_dropped_connection_then_success_is_three_requests_and_two_retries()
    {
        using var h = new EngineHarness(Error(HttpStatusCode.BadGateway, "bad_gateway", "down"), Drop(), Json(HttpStatusCode.OK, SubscriptionType("108")));

        await h.Drive(Attach());

        Assert.Equal(3, h.Handler.Sent.Count);
        Assert.Equal((3L, 2L, 0L), Of(h.Events.Counts));
    }

    [Fact]
    public async Task A_429_is_a_rate_limited_answer_and_its_repeat_a_retry()
    {
        using var h = new EngineHarness(
            Error(HttpStatusCode.TooManyRequests, "rate_limit_exceeded", "slow down", headers => headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(2))),
            Json(HttpStatusCode.OK, SubscriptionType("108")));

        await h.Drive(Attach());

        Assert.Equal((2L, 1L, 1L), Of(h.Events.Counts));
    }

    [Fact]
    public async Task Calls_without_a_sink_count_nowhere_and_two_sinks_do_not_mix()
    {
        var first = new RecordingEvents();
        var second = new RecordingEvents();
        using var h = new EngineHarness(Json(HttpStatusCode.OK, SubscriptionType("108")));

        await h.Drive((client, _, ct) => client.AttachSubscriptionAsync(Contact, "108", "opt_in", null, ct));
        await h.Drive(Attach(first));
        await h.Drive(Attach(second));
        await h.Drive(Attach(second));

        Assert.Equal(4, h.Handler.Sent.Count);
        Assert.Equal((1L, 0L, 0L), Of(first.Counts));
        Assert.Equal((2L, 0L, 0L), Of(second.Counts));
        Assert.Equal((0L, 0L, 0L), Of(h.Events.Counts));
    }

    [Fact]
    public async Task With_no_retries_a_failure_is_one_request_and_no_retry()
    {
        using var h = new EngineHarness(options => options.MaxRetries = 0, Error(HttpStatusCode.ServiceUnavailable, "service_unavailable", "busy"));

        await h.Fails(Attach());

        Assert.Equal((1L, 0L, 0L), Of(h.Events.Counts));
    }

    [Fact]
    public async Task A_refused_wait_sends_nothing_and_counts_nothing_more()
    {
        using var h = new EngineHarness(options => options.MaxRateLimitWait = TimeSpan.FromMinutes(2),
            Error(HttpStatusCode.TooManyRequests, "rate_limit_exceeded", "later", headers => headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromMinutes(10))));

        await h.Fails(Attach());
        await h.Fails(Attach());

        Assert.Single(h.Handler.Sent);
        // The first call's 429 is retried at once into the pacer, which refuses the ten-minute wait: one request, one 429.
        Assert.Equal((1L, 1L, 1L), Of(h.Events.Counts));
        Assert.Equal(0L, h.Events.Counts.PacingWaits);
    }

    // Cases the AsyncLocal guess counted wrong: two requests of one record at once, a failure after the headers.

    [Fact]
    public async Task Two_reads_at_once_that_each_fail_once_are_four_requests_and_two_retries()
    {
        // -IncludeDefault reads the contact and its subscriptions at once; both meet a 503 first.
        // Both are on the wire before either is answered.
        using var bothSent = new CountdownEvent(2);
        using var h = new EngineHarness(
            Together(bothSent, Error(HttpStatusCode.ServiceUnavailable, "service_unavailable", "busy")),
            Together(bothSent, Error(HttpStatusCode.ServiceUnavailable, "service_unavailable", "busy")),
            Json(HttpStatusCode.OK, """{"type":"contact","id":"63a07ddf05a32042dffac965","data":[]}"""));

        await h.Drive(async (client, events, ct) =>
        {
            var contact = client.GetContactAsync(Contact, events, ct);
            var subscriptions = client.ListContactSubscriptionsAsync(Contact, events, ct);
            return (await contact, await subscriptions);
        });

        Assert.Equal(4, h.Handler.Sent.Count);
        Assert.Equal((4L, 2L), (h.Events.Counts.Requests, h.Events.Counts.Retries));
    }

    [Fact]
    public async Task A_timeout_while_the_body_is_read_is_a_failed_request_and_its_repeat_a_retry()
    {
        using var h = new EngineHarness(options => options.Timeout = TimeSpan.FromSeconds(5),
            Body(HttpStatusCode.OK, new StreamContent(new HangingBody())),
            Json(HttpStatusCode.OK, SubscriptionType("108")));

        await h.Drive((client, events, ct) => client.AttachSubscriptionAsync(Contact, "108", "opt_in", events, ct), horizon: TimeSpan.MaxValue);

        Assert.Equal(2, h.Handler.Sent.Count);
        Assert.Equal((2L, 1L), (h.Events.Counts.Requests, h.Events.Counts.Retries));
        Assert.Contains(h.Events.VerboseLines, line => line.Contains("no answer within 5 s") && line.Contains("retry 1 of 3"));
    }

    [Fact]
    public async Task A_spent_window_is_one_pacing_wait_of_its_length_for_every_request_it_holds()
    {
        // The first answer spends the window until 20 s from now; three requests then wait for it together.
        var reset = VirtualClock.Start + TimeSpan.FromSeconds(20);
        using var h = new EngineHarness(
            Json(HttpStatusCode.OK, SubscriptionType("108"), RateLimit(10, 0, reset)),
            Json(HttpStatusCode.OK, SubscriptionType("108"), RateLimit(10, 5, reset + TimeSpan.FromSeconds(10))));
        await h.Drive((client, events, ct) => client.AttachSubscriptionAsync(Contact, "108", "opt_in", events, ct));

        await h.Drive(async (client, events, ct) => await Task.WhenAll(Enumerable.Range(0, 3)
            .Select(_ => client.AttachSubscriptionAsync(Contact, "108", "opt_in", events, ct))));

        Assert.Equal(4, h.Handler.Sent.Count);
        Assert.Equal(0L, h.Events.Counts.RateLimitedAnswers);
        Assert.Equal(1L, h.Events.Counts.PacingWaits);
        var waited = h.Events.Counts.PacingWaitTime;
        Assert.True(waited >= TimeSpan.FromSeconds(20) && waited <= TimeSpan.FromSeconds(21), $"waited {waited}");
        Assert.Single(h.Events.VerboseLines, line => line.Contains("window is used up"));
    }
}
