using System.Net;
using System.Net.Http.Headers;
using static IntercomSubscriptions.Engine.Tests.ScriptedHandler;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>What a run summary reads from the engine: attempts, retries and 429s, per caller's counts.</summary>
public sealed class RequestCountsTests
{
    private const string Contact = "63a07ddf05a32042dffac965";

    private static Func<IntercomClient, IIntercomEventSink, CancellationToken, Task<SubscriptionTypeData>> CountedAttach(RequestCounts counts) =>
        (client, events, ct) => counts.CountAsync(() => client.AttachSubscriptionAsync(Contact, "108", "opt_in", events, ct));

    [Fact]
    public async Task A_5xx_then_a_dropped_connection_then_success_is_three_requests_and_two_retries()
    {
        var counts = new RequestCounts();
        using var h = new EngineHarness(Error(HttpStatusCode.BadGateway, "bad_gateway", "down"), Drop(), Json(HttpStatusCode.OK, SubscriptionType("108")));

        await h.Drive(CountedAttach(counts));

        Assert.Equal(3, h.Handler.Sent.Count);
        Assert.Equal((3L, 2L, 0L), (counts.Requests, counts.Retries, counts.RateLimitWaits));
    }

    [Fact]
    public async Task A_429_is_a_rate_limit_wait_and_its_repeat_a_retry()
    {
        var counts = new RequestCounts();
        using var h = new EngineHarness(
            Error(HttpStatusCode.TooManyRequests, "rate_limit_exceeded", "slow down", headers => headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(2))),
            Json(HttpStatusCode.OK, SubscriptionType("108")));

        await h.Drive(CountedAttach(counts));

        Assert.Equal((2L, 1L, 1L), (counts.Requests, counts.Retries, counts.RateLimitWaits));
    }

    [Fact]
    public async Task Requests_outside_a_counted_flow_count_nowhere_and_two_flows_do_not_mix()
    {
        var first = new RequestCounts();
        var second = new RequestCounts();
        using var h = new EngineHarness(Json(HttpStatusCode.OK, SubscriptionType("108")), Json(HttpStatusCode.OK, SubscriptionType("108")), Json(HttpStatusCode.OK, SubscriptionType("108")));

        await h.Drive((client, events, ct) => client.AttachSubscriptionAsync(Contact, "108", "opt_in", events, ct));
        await h.Drive(CountedAttach(first));
        await h.Drive(CountedAttach(second));

        Assert.Equal(3, h.Handler.Sent.Count);
        Assert.Equal((1L, 0L), (first.Requests, first.Retries));
        Assert.Equal((1L, 0L), (second.Requests, second.Retries));
    }
}
