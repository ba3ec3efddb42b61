using System.Globalization;
using System.Net.Http.Headers;
using IntercomSubscriptions.Engine;
using Microsoft.Extensions.Time.Testing;

namespace IntercomSubscriptions.Engine.Tests;

public sealed class RateLimitPacerTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly long FirstReset = Start.ToUnixTimeSeconds() + 10;

    /// <summary>The pacer reads its clock for Retry-After and Reset; tests move it by hand (forward only).</summary>
    private sealed class ManualClock
    {
        public FakeTimeProvider Time { get; } = new(Start);

        public DateTimeOffset Now
        {
            get => Time.GetUtcNow();
            set => Time.SetUtcNow(value);
        }
    }

    private static (RateLimitPacer Pacer, ManualClock Clock) NewPacer()
    {
        var clock = new ManualClock();
        return (new RateLimitPacer(clock.Time, TimeSpan.FromMinutes(5)), clock);
    }

    private static RateLimitHeaders Headers(long? limit, long? remaining, long? reset, TimeSpan? retryAfter = null) =>
        RateLimitHeaders.Read(ResponseHeaders(limit, remaining, reset, retryAfter), Start);

    private static HttpResponseHeaders ResponseHeaders(long? limit, long? remaining, long? reset, TimeSpan? retryAfter)
    {
        var headers = new HttpResponseMessage().Headers;
        if (limit is not null) headers.Add("X-RateLimit-Limit", limit.Value.ToString(CultureInfo.InvariantCulture));
        if (remaining is not null) headers.Add("X-RateLimit-Remaining", remaining.Value.ToString(CultureInfo.InvariantCulture));
        if (reset is not null) headers.Add("X-RateLimit-Reset", reset.Value.ToString(CultureInfo.InvariantCulture));
        if (retryAfter is not null) headers.RetryAfter = new RetryConditionHeaderValue(retryAfter.Value);
        return headers;
    }

    private static PacerTicket MustAcquire(RateLimitPacer pacer, DateTimeOffset now)
    {
        var wait = pacer.TryAcquire(now, out _, out var ticket);
        Assert.Null(wait);
        return ticket;
    }

    /// <summary>How many requests go through at <paramref name="now"/> before the pacer asks to wait (capped).</summary>
    private static int AcquireUntilRefused(RateLimitPacer pacer, DateTimeOffset now, int cap = 10_000)
    {
        var count = 0;
        while (count < cap && pacer.TryAcquire(now, out _, out _) is null)
            count++;
        return count;
    }

    private static DateTimeOffset ResetTime(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds) + RateLimitPacer.ResetSlack;

    [Fact]
    public void Unknown_window_lets_requests_through()
    {
        var (pacer, _) = NewPacer();
        for (var i = 0; i < 500; i++)
        {
            Assert.Null(pacer.TryAcquire(Start, out var announcement, out _));
            Assert.Null(announcement);
        }
        Assert.Equal(500, pacer.InFlight);
    }

    [Fact]
    public void Answers_without_rate_limit_headers_leave_the_window_unknown()
    {
        var (pacer, _) = NewPacer();
        for (var i = 0; i < 20; i++)
            pacer.Release(MustAcquire(pacer, Start), Headers(null, null, null), 200);
        pacer.Release(MustAcquire(pacer, Start), Headers(100, 5, null), 200); // no Reset: not a usable window
        pacer.Release(MustAcquire(pacer, Start), null, null);                 // network failure: no headers at all
        Assert.Equal(200, AcquireUntilRefused(pacer, Start, cap: 200));
    }

    [Theory]
    [InlineData(50, 0)]
    [InlineData(50, 1)]
    [InlineData(50, 7)]
    [InlineData(10, 4)]
    [InlineData(5, 4)]
    [InlineData(3, 8)]
    public void After_an_answer_the_budget_leaves_room_for_requests_sent_after_it(int remaining, int sentAfter)
    {
        var (pacer, _) = NewPacer();
        var answered = MustAcquire(pacer, Start);
        for (var i = 0; i < sentAfter; i++)
            MustAcquire(pacer, Start);

        pacer.Release(answered, Headers(100, remaining, FirstReset), 200);
        var allowed = AcquireUntilRefused(pacer, Start);

        // Each request sent after the answered one may already have been counted by the server.
        Assert.True(allowed <= Math.Max(0, remaining - sentAfter), $"{allowed} let through, the server has at most {remaining - sentAfter} left");
        // Nothing more is given away: the bound is exact here.
        Assert.Equal(Math.Max(0, remaining - sentAfter), allowed);
    }

    [Theory]
    [InlineData(50, 1)]
    [InlineData(50, 6)]
    [InlineData(4, 6)]
    public void After_an_answer_the_budget_leaves_room_for_requests_that_were_in_flight_beside_it(int remaining, int sentBefore)
    {
        var (pacer, _) = NewPacer();
        for (var i = 0; i < sentBefore; i++)
            MustAcquire(pacer, Start);
        var answered = MustAcquire(pacer, Start);

        pacer.Release(answered, Headers(100, remaining, FirstReset), 200);

        // The earlier requests may have reached the server after this one did.
        Assert.True(AcquireUntilRefused(pacer, Start) <= Math.Max(0, remaining - sentBefore));
    }

    [Fact]
    public void Requests_finished_since_are_counted_as_maybe_counted()
    {
        var (pacer, _) = NewPacer();
        var answered = MustAcquire(pacer, Start);
        var other = MustAcquire(pacer, Start);
        // The other one's answer carries no headers (say, a network error), but the server may have counted it.
        pacer.Release(other, null, null);
        pacer.Release(answered, Headers(100, 10, FirstReset), 200);

        Assert.True(AcquireUntilRefused(pacer, Start) <= 9);
    }

    [Fact]
    public void Two_answers_for_the_same_window_never_raise_the_budget()
    {
        var (pacer, _) = NewPacer();
        var first = MustAcquire(pacer, Start);
        var second = MustAcquire(pacer, Start);
        pacer.Release(second, Headers(100, 5, FirstReset), 200);
        // An answer that arrives later but says more is left (it was counted earlier) must not raise the estimate.
        pacer.Release(first, Headers(100, 60, FirstReset), 200);

        Assert.True(AcquireUntilRefused(pacer, Start) <= 5);
    }

    [Fact]
    public void A_spent_window_waits_until_Reset_plus_slack_and_announces_once()
    {
        var (pacer, clock) = NewPacer();
        clock.Now = Start + TimeSpan.FromSeconds(2);
        pacer.Release(MustAcquire(pacer, clock.Now), Headers(5, 0, FirstReset), 200);

        var wait = pacer.TryAcquire(clock.Now, out var announcement, out _);
        Assert.Equal(ResetTime(FirstReset) - clock.Now, wait);
        Assert.NotNull(announcement);
        Assert.Contains("5-request window", announcement);

        clock.Now += TimeSpan.FromSeconds(3);
        wait = pacer.TryAcquire(clock.Now, out announcement, out _);
        Assert.Equal(ResetTime(FirstReset) - clock.Now, wait);
        Assert.Null(announcement); // said once per window

        // A hair before Reset + slack: still waiting, after it: through.
        Assert.NotNull(pacer.TryAcquire(ResetTime(FirstReset) - TimeSpan.FromMilliseconds(1), out _, out _));
        clock.Now = ResetTime(FirstReset);
        var ticket = MustAcquire(pacer, clock.Now);

        // The next window spent too: announced again.
        var secondReset = FirstReset + 10;
        pacer.Release(ticket, Headers(5, 0, secondReset), 200);
        wait = pacer.TryAcquire(clock.Now, out announcement, out _);
        Assert.Equal(ResetTime(secondReset) - clock.Now, wait);
        Assert.NotNull(announcement);
    }

    [Fact]
    public void A_refilled_window_allows_at_most_the_limit_until_its_first_answer()
    {
        var (pacer, clock) = NewPacer();
        pacer.Release(MustAcquire(pacer, Start), Headers(4, 0, FirstReset), 200);
        var stillInFlight = MustAcquire(pacer, ResetTime(FirstReset)); // takes one of the new window's 4

        var more = AcquireUntilRefused(pacer, ResetTime(FirstReset));
        Assert.Equal(3, more);

        // Waiting for the new window's first answer is a short poll, not an announced wait.
        var wait = pacer.TryAcquire(ResetTime(FirstReset), out var announcement, out _);
        Assert.NotNull(wait);
        Assert.True(wait > TimeSpan.Zero && wait <= TimeSpan.FromSeconds(1));
        Assert.Null(announcement);
        GC.KeepAlive(stillInFlight);
        GC.KeepAlive(clock);
    }

    [Fact]
    public void A_late_answer_from_a_past_window_does_not_spend_the_pending_window()
    {
        var (pacer, clock) = NewPacer();
        var answered = MustAcquire(pacer, Start);
        var late = MustAcquire(pacer, Start);
        pacer.Release(answered, Headers(5, 3, FirstReset), 200);

        clock.Now = ResetTime(FirstReset);
        MustAcquire(pacer, clock.Now); // the window refilled: 5 minus the one in flight, minus this one = 3 left

        pacer.Release(late, Headers(5, 0, FirstReset), 200); // from the old window: says nothing about the new one
        Assert.True(AcquireUntilRefused(pacer, clock.Now) >= 3);
    }

    [Fact]
    public void A_late_answer_from_a_past_window_does_not_spend_the_known_window_and_settles_its_doubt()
    {
        var (pacer, clock) = NewPacer();
        var answered = MustAcquire(pacer, Start);
        var late = MustAcquire(pacer, Start);
        pacer.Release(answered, Headers(10, 8, FirstReset), 200);

        clock.Now = ResetTime(FirstReset);
        var first = MustAcquire(pacer, clock.Now);
        pacer.Release(first, Headers(10, 6, FirstReset + 10), 200);
        // The late one is still in flight and may reach the server after the new window's first.
        Assert.Equal(5, AcquireUntilRefused(pacer, clock.Now, cap: 5));

        // Its answer says it was counted in the old window: the new one's 6 less the 5 sent since.
        pacer.Release(late, Headers(10, 0, FirstReset), 429);
        Assert.Equal(1, AcquireUntilRefused(pacer, clock.Now));
    }

    [Fact]
    public void Budget_held_for_a_request_in_flight_beside_an_answer_comes_back_when_it_is_answered_earlier_in_the_count()
    {
        var (pacer, _) = NewPacer();
        var beside = MustAcquire(pacer, Start);
        var answered = MustAcquire(pacer, Start);
        pacer.Release(answered, Headers(100, 10, FirstReset), 200);
        Assert.Equal(9, AcquireUntilRefused(pacer, Start, cap: 9)); // 10 less the one beside it

        // Answered with a higher Remaining: the server counted it before, so it never was among the 10.
        pacer.Release(beside, Headers(100, 11, FirstReset), 200);
        Assert.Equal(1, AcquireUntilRefused(pacer, Start));
    }

    [Fact]
    public void A_request_ended_without_headers_while_another_was_answered_stays_maybe_counted()
    {
        var (pacer, _) = NewPacer();
        var dropped = MustAcquire(pacer, Start);
        var answered = MustAcquire(pacer, Start);
        pacer.Release(answered, Headers(100, 10, FirstReset), 200);
        pacer.Release(dropped, null, null); // the server may have counted it, before or after
        Assert.Equal(9, AcquireUntilRefused(pacer, Start));
    }

    [Fact]
    public void A_429_zeroes_the_budget_whatever_Remaining_says()
    {
        var (pacer, clock) = NewPacer();
        var refused = MustAcquire(pacer, Start);
        var ok = MustAcquire(pacer, Start);
        pacer.Release(ok, Headers(100, 50, FirstReset), 200);
        Assert.Null(pacer.TryAcquire(Start, out _, out var third)); // there was budget

        pacer.Release(refused, Headers(100, 30, FirstReset), 429);

        var wait = pacer.TryAcquire(clock.Now, out var announcement, out _);
        Assert.Equal(ResetTime(FirstReset) - clock.Now, wait);
        Assert.NotNull(announcement);
        GC.KeepAlive(third);
    }

    [Fact]
    public void A_429_as_the_first_answer_of_a_window_zeroes_the_budget()
    {
        var (pacer, clock) = NewPacer();
        pacer.Release(MustAcquire(pacer, Start), Headers(100, 42, FirstReset), 429);
        Assert.Equal(ResetTime(FirstReset) - clock.Now, pacer.TryAcquire(clock.Now, out _, out _));
    }

    [Fact]
    public void Retry_After_blocks_every_request_until_it_passes()
    {
        var (pacer, clock) = NewPacer();
        pacer.Release(MustAcquire(pacer, Start), Headers(null, null, null, TimeSpan.FromSeconds(5)), 429);

        var wait = pacer.TryAcquire(clock.Now, out var announcement, out _);
        Assert.Equal(TimeSpan.FromSeconds(5), wait);
        Assert.NotNull(announcement);
        Assert.Contains("retry later", announcement);

        wait = pacer.TryAcquire(clock.Now + TimeSpan.FromSeconds(4), out announcement, out _);
        Assert.Equal(TimeSpan.FromSeconds(1), wait);
        Assert.Null(announcement);

        Assert.Null(pacer.TryAcquire(clock.Now + TimeSpan.FromSeconds(5), out _, out _));
    }

    [Fact]
    public void A_429_without_any_hint_blocks_briefly()
    {
        var (pacer, clock) = NewPacer();
        pacer.Release(MustAcquire(pacer, Start), Headers(null, null, null), 429);
        var wait = pacer.TryAcquire(clock.Now, out _, out _);
        Assert.NotNull(wait);
        Assert.True(wait > TimeSpan.Zero && wait <= TimeSpan.FromSeconds(5));
        Assert.Null(pacer.TryAcquire(clock.Now + wait.Value, out _, out _));
    }

    [Fact]
    public void An_absurd_Reset_is_waited_out_in_at_most_LongestWait()
    {
        var (pacer, clock) = NewPacer();
        var farReset = Start.ToUnixTimeSeconds() + 3600; // clocks disagree by an hour
        pacer.Release(MustAcquire(pacer, Start), Headers(10, 0, farReset), 200);

        Assert.Equal(RateLimitPacer.LongestWait, pacer.TryAcquire(clock.Now, out _, out _));
        // Not another LongestWait after that, and another, for an hour.
        clock.Now += RateLimitPacer.LongestWait;
        Assert.Null(pacer.TryAcquire(clock.Now, out _, out _));
    }

    [Fact]
    public void A_long_Retry_After_is_a_wait_of_its_true_length_not_a_clamped_one()
    {
        // A clamped wait would send requests into a window Intercom has closed. The wait is what Intercom
        // asked; AcquireAsync refuses it when it is beyond the connection's bound (ThrottlingTests).
        var (pacer, clock) = NewPacer();
        pacer.Release(MustAcquire(pacer, Start), Headers(null, null, null, TimeSpan.FromHours(2)), 429);
        Assert.Equal(TimeSpan.FromHours(2), pacer.TryAcquire(clock.Now, out _, out _));
    }

    [Fact]
    public void Answers_from_a_server_still_in_the_old_window_do_not_stall_the_pacer()
    {
        // Our clock runs a little ahead of the server's: we think the window refilled, the server
        // still counts the old one and answers (429, its old Reset). The pacer must try again later,
        // not wait for ever for a first answer of the new window that nobody is going to ask for.
        var (pacer, clock) = NewPacer();
        pacer.Release(MustAcquire(pacer, Start), Headers(3, 0, FirstReset), 200);
        clock.Now = ResetTime(FirstReset);
        var early = Enumerable.Range(0, 3).Select(_ => MustAcquire(pacer, clock.Now)).ToList();
        foreach (var ticket in early)
            pacer.Release(ticket, Headers(3, 0, FirstReset), 429);
        Assert.Equal(0, pacer.InFlight);

        var waited = TimeSpan.Zero;
        while (pacer.TryAcquire(clock.Now, out _, out _) is { } wait)
        {
            waited += wait;
            clock.Now += wait;
            Assert.True(waited < TimeSpan.FromMinutes(2), "the pacer kept waiting with nothing in flight");
        }
    }

    [Fact]
    public void The_window_length_is_learnt_from_the_step_between_Resets()
    {
        var (pacer, clock) = NewPacer();
        Assert.Null(pacer.WindowLength);
        pacer.Release(MustAcquire(pacer, clock.Now), Headers(100, 99, FirstReset), 200);
        Assert.Null(pacer.WindowLength); // one window says nothing of its length

        clock.Now = ResetTime(FirstReset);
        pacer.Release(MustAcquire(pacer, clock.Now), Headers(100, 99, FirstReset + 6), 200); // a window skipped
        Assert.Equal(TimeSpan.FromSeconds(6), pacer.WindowLength);

        clock.Now = ResetTime(FirstReset + 6);
        pacer.Release(MustAcquire(pacer, clock.Now), Headers(100, 99, FirstReset + 9), 200);
        Assert.Equal(TimeSpan.FromSeconds(3), pacer.WindowLength);

        clock.Now = ResetTime(FirstReset + 9);
        pacer.Release(MustAcquire(pacer, clock.Now), Headers(100, 99, FirstReset + 15), 200); // skipped again: still 3
        Assert.Equal(TimeSpan.FromSeconds(3), pacer.WindowLength);
    }
    private static (RateLimitPacer Pacer, ManualClock Clock) NewPacer(double share)
    {
        var clock = new ManualClock();
        return (new RateLimitPacer(clock.Time, TimeSpan.FromMinutes(5), share), clock);
    }

    [Fact]
    public void With_a_share_one_request_goes_at_a_time_until_an_answer_tells_the_limit()
    {
        var (pacer, clock) = NewPacer(share: 0.5);
        var first = MustAcquire(pacer, clock.Now);
        Assert.NotNull(pacer.TryAcquire(clock.Now, out _, out _));

        // Lost: it may have been counted, in a window whose length is not known yet.
        pacer.Release(first, null, null);
        Assert.NotNull(pacer.TryAcquire(clock.Now + TimeSpan.FromSeconds(5), out _, out _));
        clock.Now += AdaptiveConcurrencyLimit.DefaultWindowLength;
        var second = MustAcquire(pacer, clock.Now);

        pacer.Release(second, Headers(100, 90, clock.Now.ToUnixTimeSeconds() + 5), 200);
        // 50 is the share, less the one answered in this window (the lost one ended before it began).
        Assert.Equal(49, AcquireUntilRefused(pacer, clock.Now));
    }

    [Fact]
    public void With_a_share_a_known_window_lets_through_the_share_less_ours_counted_in_it_and_in_flight()
    {
        var (pacer, clock) = NewPacer(share: 0.25);
        pacer.Release(MustAcquire(pacer, clock.Now), Headers(100, 99, FirstReset), 200);
        var inFlight = MustAcquire(pacer, clock.Now);
        Assert.Equal(23, AcquireUntilRefused(pacer, clock.Now, cap: 23)); // 25 less the answered one and the one in flight

        var wait = pacer.TryAcquire(clock.Now, out var announcement, out _);
        Assert.Equal(PendingWindowPollOrLess(wait), wait);
        Assert.Contains("share", announcement);
        GC.KeepAlive(inFlight);
    }

    private static TimeSpan? PendingWindowPollOrLess(TimeSpan? wait)
    {
        // Answers in flight may prove counted in the window before: the pacer looks again soon.
        Assert.NotNull(wait);
        Assert.InRange(wait!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));
        return wait;
    }

    [Fact]
    public void With_a_share_a_refilled_window_allows_the_share_less_what_is_in_flight()
    {
        var (pacer, clock) = NewPacer(share: 0.1);
        pacer.Release(MustAcquire(pacer, clock.Now), Headers(100, 99, FirstReset), 200);
        var inFlight = Enumerable.Range(0, 3).Select(_ => MustAcquire(pacer, clock.Now)).ToList();

        clock.Now = ResetTime(FirstReset);
        Assert.Equal(7, AcquireUntilRefused(pacer, clock.Now));
        GC.KeepAlive(inFlight);
    }

    /// <summary>
    /// Ours one at a time from the window's start, each answered at once, while another client spends 50
    /// a second (a quarter of the 2,000 limit): 21 answers over 2 s. Returns the last answer's Remaining.
    /// </summary>
    private static int AnswersBesideAnotherClient(RateLimitPacer pacer, ManualClock clock)
    {
        clock.Now = DateTimeOffset.FromUnixTimeSeconds(FirstReset - 10);
        var remaining = 1000;
        for (var i = 0; i < 21; i++)
        {
            remaining -= 1;
            pacer.Release(MustAcquire(pacer, clock.Now), Headers(2000, remaining, FirstReset), 200);
            clock.Now += TimeSpan.FromMilliseconds(100);
            if (i < 20) remaining -= 5;
        }
        return remaining;
    }

    /// <summary>Sends what the pacer lets through, waiting as told, until a wait would reach <paramref name="end"/>; none is answered.</summary>
    private static List<PacerTicket> SendUntil(RateLimitPacer pacer, ManualClock clock, DateTimeOffset end)
    {
        var sent = new List<PacerTicket>();
        for (var step = 0; step < 100_000; step++)
        {
            var wait = pacer.TryAcquire(clock.Now, out _, out var ticket);
            if (wait is null) { sent.Add(ticket); continue; }
            if (clock.Now + wait.Value >= end) break;
            clock.Now += wait.Value;
        }
        return sent;
    }

    [Fact]
    public void Another_clients_rate_is_kept_back_for_the_rest_of_the_window_and_from_the_next_windows_start()
    {
        var (pacer, clock) = NewPacer();
        var left = AnswersBesideAnotherClient(pacer, clock);
        // 2 s in: their 50 a second for the 8 s left, with headroom, are kept back from what is left.
        var keptBack = (int)Math.Ceiling(50 * WindowBudget.OthersHeadroom * 8.0);
        var sent = SendUntil(pacer, clock, DateTimeOffset.FromUnixTimeSeconds(FirstReset));
        Assert.InRange(sent.Count, left - keptBack - 1, left - keptBack);

        // The next window: before it has shown their rate, the last one's is kept back for all of it.
        clock.Now = ResetTime(FirstReset);
        var first = MustAcquire(pacer, clock.Now);
        foreach (var late in sent)
            pacer.Release(late, Headers(2000, 0, FirstReset), 200); // counted in the window that passed
        pacer.Release(first, Headers(2000, 999, FirstReset + 10), 200);
        var nextKeptBack = (int)Math.Ceiling(50 * WindowBudget.OthersHeadroom * (DateTimeOffset.FromUnixTimeSeconds(FirstReset + 10) - clock.Now).TotalSeconds);
        var sentNext = SendUntil(pacer, clock, DateTimeOffset.FromUnixTimeSeconds(FirstReset + 10));
        Assert.InRange(sentNext.Count, 999 - nextKeptBack - 1, 999 - nextKeptBack);
    }

    [Fact]
    public void While_another_client_is_seen_requests_are_spread_through_the_window_and_that_is_said_once_a_window()
    {
        var (pacer, clock) = NewPacer();
        AnswersBesideAnotherClient(pacer, clock);
        Assert.Null(pacer.TryAcquire(clock.Now, out _, out _)); // the last went 100 ms ago
        var wait = pacer.TryAcquire(clock.Now, out var announcement, out _);
        Assert.NotNull(wait);
        Assert.InRange(wait!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(100));
        Assert.Contains("other clients", announcement);
        Assert.NotNull(pacer.TryAcquire(clock.Now, out announcement, out _));
        Assert.Null(announcement);
        // Waited as told, the next goes.
        Assert.Null(pacer.TryAcquire(clock.Now + wait.Value, out _, out _));
    }

    [Fact]
    public void Alone_requests_are_not_spread()
    {
        var (pacer, clock) = NewPacer();
        clock.Now = DateTimeOffset.FromUnixTimeSeconds(FirstReset - 10);
        for (var i = 0; i < 21; i++)
        {
            pacer.Release(MustAcquire(pacer, clock.Now), Headers(1000, 999 - i, FirstReset), 200);
            clock.Now += TimeSpan.FromMilliseconds(100);
        }
        Assert.Equal(979, AcquireUntilRefused(pacer, clock.Now));
    }
}
