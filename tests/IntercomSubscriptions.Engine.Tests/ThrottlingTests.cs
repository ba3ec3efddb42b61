using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;
using static IntercomSubscriptions.Engine.Tests.ScriptedHandler;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>
/// Throttling (Retry-After, 429s bounded by time, the Retry-After: 0 storm guard, timeouts apart from
/// pacing), driven through the scripted handler and the virtual clock: waits of minutes run in
/// milliseconds, and the clock tells when each request went out.
/// </summary>
public sealed class ThrottlingTests
{
    private const string Contact = "63a07ddf05a32042dffac965";

    private static readonly Func<IntercomClient, IIntercomEventSink, CancellationToken, Task<SubscriptionTypeData>> Attach =
        (client, events, ct) => client.AttachSubscriptionAsync(Contact, "108", "opt_in", events, ct);

    private static ScriptedHandler.Step Ok() => Json(HttpStatusCode.OK, SubscriptionType("108"));

    private static Action<HttpResponseHeaders> Window(long limit, long remaining, TimeSpan resetIn) => RateLimit(limit, remaining, VirtualClock.Start + resetIn);

    [Fact]
    public async Task Waiting_for_the_rate_limit_is_not_counted_against_the_attempt_timeout()
    {
        // The first answer spends the window; the next request must wait 20 s for it, with a 5 s timeout.
        using var h = new EngineHarness(options => { options.Timeout = TimeSpan.FromSeconds(5); options.MaxRetries = 0; },
            Json(HttpStatusCode.OK, SubscriptionType("108"), Window(1, 0, TimeSpan.FromSeconds(20))), Ok());
        await h.Drive(Attach, horizon: TimeSpan.MaxValue, settle: 100);
        var result = await h.Drive(Attach, horizon: TimeSpan.MaxValue, settle: 100);

        Assert.Equal("108", result.Id);
        Assert.Equal(2, h.Handler.Sent.Count);
        Assert.True(h.Handler.Sent[1].At >= VirtualClock.Start + TimeSpan.FromSeconds(20));
    }

    private static Action<HttpResponseHeaders> RetryAfter(int seconds) => headers => headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));

    private static ScriptedHandler.Step TooMany(Action<HttpResponseHeaders>? headers = null) =>
        Error(HttpStatusCode.TooManyRequests, "rate_limit_exceeded", "Too many requests", headers);

    [Fact]
    public async Task A_Retry_After_within_the_bound_is_waited_out_and_announced_once_with_its_true_length()
    {
        using var h = new EngineHarness(TooMany(RetryAfter(120)), Ok());
        var result = await h.Drive(Attach);

        Assert.Equal("108", result.Id);
        Assert.Equal(2, h.Handler.Sent.Count);
        Assert.True(h.Handler.Sent[1].At - h.Handler.Sent[0].At >= TimeSpan.FromSeconds(120));
        var announced = Assert.Single(h.Events.VerboseLines, line => line.Contains("waiting"));
        Assert.Contains("waiting 120.0 s", announced);
    }

    [Fact]
    public async Task A_Retry_After_beyond_the_bound_fails_every_waiting_request_at_once_saying_how_long_Intercom_asked()
    {
        using var h = new EngineHarness(options => options.MaxRateLimitWait = TimeSpan.FromMinutes(2), TooMany(RetryAfter(600)), Ok());
        var first = await h.Fails(Attach);
        var second = await h.Fails(Attach);

        foreach (var error in new[] { first, second })
        {
            Assert.Equal(IntercomErrorKind.RateLimited, error.Kind);
            Assert.Contains("asked to wait 600.0 s", error.Message);
            Assert.Contains("120.0 s this connection waits", error.Message);
        }
        Assert.Single(h.Handler.Sent); // the second record was refused without a request
        Assert.True(h.Clock.GetUtcNow() - VirtualClock.Start < TimeSpan.FromSeconds(1), "nothing waited for the 600 s");
    }

    [Fact]
    public void Concurrent_429s_announce_one_wait_not_one_each()
    {
        var time = new FakeTimeProvider(VirtualClock.Start);
        var pacer = new RateLimitPacer(time, TimeSpan.FromMinutes(5));
        var tickets = Enumerable.Range(0, 5).Select(i => { Assert.Null(pacer.TryAcquire(time.GetUtcNow(), out _, out var t)); return t; }).ToList();
        var announcements = new List<string>();
        foreach (var ticket in tickets)
        {
            // Five answers a few milliseconds apart, each a 429 with no hint: each pushes the block a little later.
            time.Advance(TimeSpan.FromMilliseconds(7));
            pacer.Release(ticket, RateLimitHeaders.None, 429);
            Assert.NotNull(pacer.TryAcquire(time.GetUtcNow(), out var announcement, out _));
            if (announcement is not null) announcements.Add(announcement);
        }
        Assert.Single(announcements);
    }

    [Fact]
    public async Task Rate_limited_answers_do_not_use_up_the_retries_for_server_errors()
    {
        var steps = Enumerable.Repeat(TooMany(RetryAfter(1)), 9)
            .Append(Error(HttpStatusCode.InternalServerError, "server_error", "oops"))
            .Append(Ok())
            .ToArray();
        using var h = new EngineHarness(steps);
        var result = await h.Drive(Attach);

        Assert.Equal("108", result.Id);
        Assert.Equal(11, h.Handler.Sent.Count);
    }

    [Fact]
    public async Task Rate_limited_retries_are_bounded_by_time_not_by_a_count()
    {
        // Reset in the past (the server's clock behind ours): each 429 holds requests for about a second.
        var steps = Enumerable.Repeat(TooMany(Window(100, 0, TimeSpan.FromSeconds(-5))), 30).Append(Ok()).ToArray();
        using var h = new EngineHarness(steps);
        var result = await h.Drive(Attach);
        Assert.Equal("108", result.Id);
        Assert.Equal(31, h.Handler.Sent.Count);
    }

    [Fact]
    public async Task Rate_limited_retries_end_after_the_bound_with_an_error_that_says_how_many_and_how_long()
    {
        using var h = new EngineHarness(options => options.MaxRateLimitWait = TimeSpan.FromMinutes(1), TooMany(RetryAfter(10)));
        var error = await h.Fails(Attach);

        Assert.Equal(IntercomErrorKind.RateLimited, error.Kind);
        var sent = h.Handler.Sent.Count;
        Assert.InRange(sent, 6, 8); // one every 10 s for a minute
        Assert.Contains($"rate limited on all of {sent} attempts over ", error.Message);
        Assert.True(h.Handler.Sent[^1].At - h.Handler.Sent[0].At >= TimeSpan.FromMinutes(1) - TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_timed_out_change_says_it_may_have_been_applied_and_that_retries_may_overlap()
    {
        using var h = new EngineHarness(options => { options.Timeout = TimeSpan.FromSeconds(5); options.MaxRetries = 1; }, Hang());
        var error = await h.Fails(Attach, horizon: TimeSpan.MaxValue);

        Assert.Equal(IntercomErrorKind.Timeout, error.Kind);
        Assert.Contains("did not answer within 5 s (2 attempts)", error.Message);
        Assert.Contains("may have applied the change", error.Message);
        Assert.Contains("alongside a timed-out attempt", error.Message);
        Assert.Contains(h.Events.VerboseLines, line => line.Contains("retry 1 of 1") && line.Contains("alongside the retry"));
    }

    [Fact]
    public async Task An_answer_cut_off_mid_body_is_not_reported_as_could_not_reach()
    {
        using var h = new EngineHarness(options => options.MaxRetries = 0,
            Body(HttpStatusCode.OK, new StreamContent(new GeneratedBody(100_000, failAfter: 40_000))));
        var error = await h.Fails(Attach);

        Assert.Equal(IntercomErrorKind.ConnectionFailed, error.Kind);
        Assert.DoesNotContain("could not reach", error.Message);
        Assert.Contains("HTTP 200 answer broke off after 40000 bytes", error.Message);
        Assert.Contains("may have applied the change", error.Message);
    }

    [Fact]
    public async Task A_run_of_429s_that_say_retry_now_ends_instead_of_storming()
    {
        using var h = new EngineHarness(TooMany(RetryAfter(0)));
        var error = await h.Fails(Attach);

        Assert.Equal(IntercomErrorKind.RateLimited, error.Kind);
        Assert.Equal(10, h.Handler.Sent.Count);
        Assert.Contains("rate limited on all of 10 attempts", error.Message);
    }
}
