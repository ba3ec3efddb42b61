using Microsoft.Extensions.Time.Testing;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>The controller's arithmetic: Little's law on the measured latency and the window's limit, AIMD on 429s.</summary>
public sealed class AdaptiveConcurrencyLimitTests
{
    private static readonly TimeSpan Ms20 = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Ms150 = TimeSpan.FromMilliseconds(150);
    private static readonly TimeSpan Ms300 = TimeSpan.FromMilliseconds(300);

    /// <summary>Enough answers at one latency for the slow start to reach the target.</summary>
    private static void Answers(AdaptiveConcurrencyLimit limit, TimeSpan latency, long perWindow, int count = 300)
    {
        for (var i = 0; i < count; i++) limit.OnAnswer(latency, 200, perWindow);
    }

    [Fact]
    public void Before_any_answer_the_initial_limit_applies()
    {
        var limit = new AdaptiveConcurrencyLimit(new FakeTimeProvider(VirtualClock.Start));
        Assert.Equal(AdaptiveConcurrencyLimit.Initial, limit.Limit);
        Assert.Null(limit.Latency);
    }

    [Fact]
    public void An_answer_without_rate_limit_headers_keeps_the_initial_limit()
    {
        var limit = new AdaptiveConcurrencyLimit(new FakeTimeProvider(VirtualClock.Start));
        limit.OnAnswer(Ms150, 200, requestsPerWindow: null);
        Assert.Equal(AdaptiveConcurrencyLimit.Initial, limit.Limit);
    }

    [Theory]
    // rate 166.6/s × latency × 1.1, rounded up, + 4 spare
    [InlineData(20, 1666, 8)]    // 3.67 -> 4, + 4
    [InlineData(150, 1666, 32)]  // 27.49 -> 28, + 4
    [InlineData(300, 1666, 59)]  // 54.98 -> 55, + 4
    [InlineData(20, 167, 5)]     // 0.37 -> 1, + 4: a small window never gets a burst
    [InlineData(300, 167, 10)]   // 5.51 -> 6, + 4
    public void Steady_latency_gives_Littles_law_with_headroom(int latencyMs, int perWindow, int expected)
    {
        var limit = new AdaptiveConcurrencyLimit(new FakeTimeProvider(VirtualClock.Start));
        Answers(limit, TimeSpan.FromMilliseconds(latencyMs), perWindow);
        Assert.Equal(expected, limit.Limit);
    }

    [Fact]
    public void Latency_is_a_weighted_mean_that_moves_a_tenth_of_the_way_per_answer()
    {
        var limit = new AdaptiveConcurrencyLimit(new FakeTimeProvider(VirtualClock.Start));
        limit.OnAnswer(TimeSpan.FromMilliseconds(100), 200, 1666);
        limit.OnAnswer(TimeSpan.FromMilliseconds(200), 200, 1666);
        Assert.Equal(110, limit.Latency!.Value.TotalMilliseconds, precision: 6);
    }

    [Fact]
    public void The_limit_never_exceeds_the_maximum()
    {
        var limit = new AdaptiveConcurrencyLimit(new FakeTimeProvider(VirtualClock.Start));
        Answers(limit, TimeSpan.FromSeconds(10), 100_000);
        Assert.Equal(AdaptiveConcurrencyLimit.Maximum, limit.Limit);
    }

    [Fact]
    public void The_limit_rises_by_one_per_answer_and_falls_at_once()
    {
        var limit = new AdaptiveConcurrencyLimit(new FakeTimeProvider(VirtualClock.Start));
        limit.OnAnswer(TimeSpan.FromSeconds(2), 200, 1666); // a cold first answer: the target is far higher
        Assert.Equal(AdaptiveConcurrencyLimit.Initial + 1, limit.Limit);
        limit.OnAnswer(TimeSpan.FromSeconds(2), 200, 1666);
        Assert.Equal(AdaptiveConcurrencyLimit.Initial + 2, limit.Limit);
        Answers(limit, Ms20, 1666, count: 100); // the mean comes down to 20 ms: the limit follows it down
        Assert.Equal(8, limit.Limit);
    }

    [Fact]
    public void A_429_halves_the_Littles_law_term_and_it_grows_back_by_a_tenth_a_second()
    {
        var clock = new FakeTimeProvider(VirtualClock.Start);
        var limit = new AdaptiveConcurrencyLimit(clock);
        Answers(limit, Ms300, 1666);
        Assert.Equal(59, limit.Limit);

        limit.OnAnswer(Ms300, 429, 1666);
        Assert.Equal(32, limit.Limit); // ceil(54.98 × 0.5) + 4

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(32, limit.Limit); // no answer yet: the slow start holds it
        Answers(limit, Ms300, 1666, count: 20);
        Assert.Equal(43, limit.Limit); // share 0.7: ceil(38.48) + 4

        clock.Advance(TimeSpan.FromSeconds(10));
        Answers(limit, Ms300, 1666, count: 30);
        Assert.Equal(59, limit.Limit); // back to the whole share, never above it
    }

    [Fact]
    public void A_burst_of_429s_within_one_round_trip_counts_once()
    {
        var clock = new FakeTimeProvider(VirtualClock.Start);
        var limit = new AdaptiveConcurrencyLimit(clock);
        Answers(limit, Ms300, 1666);
        for (var i = 0; i < 20; i++)
            limit.OnAnswer(Ms300, 429, 1666);
        Assert.Equal(32, limit.Limit);

        clock.Advance(TimeSpan.FromSeconds(1)); // a later round trip: a second signal
        limit.OnAnswer(Ms300, 429, 1666);
        Assert.Equal(21, limit.Limit); // share (0.5 + 0.1) / 2 = 0.3: ceil(16.49) + 4
    }

    [Fact]
    public void Repeated_429s_bottom_out_at_a_sixteenth_of_the_Littles_law_term()
    {
        var clock = new FakeTimeProvider(VirtualClock.Start);
        var limit = new AdaptiveConcurrencyLimit(clock);
        Answers(limit, Ms300, 1666);
        for (var i = 0; i < 10; i++)
        {
            limit.OnAnswer(Ms300, 429, 1666);
            clock.Advance(Ms300); // the next round trip; recovery 0.03 per step is less than the halving
        }
        Assert.Equal(8, limit.Limit); // share 1/16 at the last answer: ceil(3.44) + 4; the 0.03 since waits for an answer
    }

    [Fact]
    public async Task Gate_lets_in_up_to_the_limit_and_the_next_waiter_on_each_release_in_order()
    {
        var limit = new AdaptiveConcurrencyLimit(new FakeTimeProvider(VirtualClock.Start));
        limit.OnAnswer(Ms20, 200, 167); // limit 5
        var gate = new ConcurrencyGate(limit);
        var entered = Enumerable.Range(0, 7).Select(_ => gate.EnterAsync(CancellationToken.None)).ToList();
        Assert.Equal(5, entered.Count(t => t.IsCompleted));
        Assert.Equal(2, gate.Waiting);
        var first = await entered[0];
        first.Dispose();
        first.Dispose(); // a place is given back once
        Assert.Same(entered[5], await Task.WhenAny(entered[5], Task.Delay(TimeSpan.FromSeconds(5))));
        Assert.False(entered[6].IsCompleted);
        Assert.Equal(5, gate.InUse);
    }

    [Fact]
    public async Task Gate_lets_waiters_in_when_the_limit_grows_and_forgets_a_cancelled_waiter()
    {
        var limit = new AdaptiveConcurrencyLimit(new FakeTimeProvider(VirtualClock.Start));
        limit.OnAnswer(Ms20, 200, 167); // limit 5
        var gate = new ConcurrencyGate(limit);
        for (var i = 0; i < 5; i++) _ = gate.EnterAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(cancel.Token);
        var waiting = gate.EnterAsync(CancellationToken.None);
        cancel.Cancel();
        Assert.True(cancelled.IsCanceled);
        Assert.Equal(1, gate.Waiting);

        limit.OnAnswer(TimeSpan.FromSeconds(1), 200, 167); // latency up: more may be on the wire
        gate.LimitChanged();
        Assert.Same(waiting, await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(5)))); // the limit rose by one (slow start), toward 7
        Assert.Equal(6, gate.InUse);
    }

    [Fact]
    public void The_windows_length_sets_the_rate_the_limit_is_sized_for()
    {
        var limit = new AdaptiveConcurrencyLimit(new FakeTimeProvider(VirtualClock.Start));
        for (var i = 0; i < 300; i++) limit.OnAnswer(Ms300, 200, 1666, TimeSpan.FromSeconds(20));
        Assert.Equal(32, limit.Limit); // 83.3/s × 0.3 × 1.1 = 27.5 -> 28, + 4
    }
}
