using Xunit.Abstractions;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>
/// The pacer against an app's limit it shares, in simulated time (<see cref="SharedLimitSimulation"/>):
/// Intercom's 1,666 per 10 s, a connection with the workers the adaptive concurrency limit would give it,
/// and a steady other client, as the bench and the end-to-end test run them over real HTTP.
/// </summary>
public sealed class SharedLimitSimulationTests(ITestOutputHelper output)
{
    private const int Limit = 1666;
    private const int WindowSeconds = 10;
    private static readonly DateTimeOffset Until = SharedLimitSimulation.Start + TimeSpan.FromSeconds(80);

    [Theory]
    [InlineData(20, 833)]
    [InlineData(150, 833)]
    [InlineData(300, 833)]
    [InlineData(150, 200)]
    [InlineData(150, 1250)]
    public void A_steady_other_client_keeps_its_room_and_the_connection_takes_most_of_the_rest(int latencyMs, int Other)
    {
        var simulation = new SharedLimitSimulation(Limit, WindowSeconds, Other, seed: latencyMs);
        var ours = simulation.Add(TimeSpan.FromMilliseconds(latencyMs));
        simulation.Run(Until);

        var windows = simulation.MeasuredWindows(Until).ToList();
        var sent = windows.Sum(w => simulation.OtherClient[w].Sent);
        var refused = windows.Sum(w => simulation.OtherClient[w].Refused);
        var taken = windows.Average(w => ours.Accepted.GetValueOrDefault(w));
        var perWindow = string.Join(", ", windows.Select(w => $"{ours.Accepted.GetValueOrDefault(w)}/{simulation.OtherClient[w].Refused}"));
        output.WriteLine($"{latencyMs} ms: ours/their refusals per window {perWindow}; {refused} of {sent} of theirs refused");
        Assert.True(refused <= 0.02 * sent, $"the other client had {refused} of {sent} refused (ours/their refusals per window: {perWindow})");
        Assert.True(taken >= 0.8 * (Limit - Other), $"the connection took {taken:0} a window of the {Limit - Other} left ({perWindow})");
        Assert.Equal(0, ours.Refused);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(150)]
    [InlineData(300)]
    public void Alone_the_connection_still_takes_the_whole_limit(int latencyMs)
    {
        var simulation = new SharedLimitSimulation(Limit, WindowSeconds, otherClientPerWindow: 0, seed: latencyMs);
        var ours = simulation.Add(TimeSpan.FromMilliseconds(latencyMs));
        simulation.Run(Until);

        var windows = simulation.MeasuredWindows(Until).ToList();
        var taken = windows.Average(w => ours.Accepted.GetValueOrDefault(w));
        output.WriteLine($"{latencyMs} ms alone: {string.Join(", ", windows.Select(w => ours.Accepted.GetValueOrDefault(w)))}");
        Assert.True(taken >= 0.95 * Limit, $"took {taken:0} a window: {string.Join(", ", windows.Select(w => ours.Accepted.GetValueOrDefault(w)))}");
        Assert.Equal(0, ours.Refused);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(150)]
    [InlineData(300)]
    public void Two_copies_of_the_module_on_one_app_settle_at_half_the_limit_each(int latencyMs)
    {
        // The first runs alone for 25 s, then a second starts beside it: each sees the other as another
        // client. Neither may hold the other back for good, nor take it all.
        var simulation = new SharedLimitSimulation(Limit, WindowSeconds, otherClientPerWindow: 0, seed: latencyMs);
        var first = simulation.Add(TimeSpan.FromMilliseconds(latencyMs));
        var second = simulation.Add(TimeSpan.FromMilliseconds(latencyMs), startsAt: SharedLimitSimulation.Start + TimeSpan.FromSeconds(25));
        var until = SharedLimitSimulation.Start + TimeSpan.FromSeconds(150);
        simulation.Run(until);

        var both = simulation.MeasuredWindows(until).Skip(3).ToList(); // from the second's second window
        var perWindow = string.Join(", ", both.Select(w => $"{first.Accepted.GetValueOrDefault(w)}+{second.Accepted.GetValueOrDefault(w)}"));
        output.WriteLine($"{latencyMs} ms, two copies: {perWindow}; 429s {first.Refused}/{second.Refused}");
        Assert.All(both, w =>
        {
            Assert.True(first.Accepted.GetValueOrDefault(w) + second.Accepted.GetValueOrDefault(w) >= 0.95 * Limit, perWindow);
            Assert.InRange(first.Accepted.GetValueOrDefault(w), 0.4 * Limit, 0.6 * Limit);
        });
        // Only the second's first requests, before it had seen the window the first had spent, may meet a
        // full one: about one concurrency's worth (it gets 429s and waits for the reset).
        Assert.True(first.Refused + second.Refused <= 2 * AdaptiveConcurrencyLimitFor(latencyMs), $"429s {first.Refused}/{second.Refused}");
    }

    private static int AdaptiveConcurrencyLimitFor(int latencyMs) =>
        (int)Math.Ceiling((double)Limit / WindowSeconds * latencyMs / 1000 * AdaptiveConcurrencyLimit.Headroom) + AdaptiveConcurrencyLimit.Spare;

    [Theory]
    [InlineData(20, 0.5, 0)]
    [InlineData(300, 0.5, 0)]
    [InlineData(150, 0.3, 833)]
    [InlineData(150, 0.05, 0)]
    public void With_a_share_the_connection_never_has_more_than_it_counted_in_a_window(int latencyMs, double share, int other)
    {
        var simulation = new SharedLimitSimulation(Limit, WindowSeconds, other, seed: latencyMs);
        var ours = simulation.Add(TimeSpan.FromMilliseconds(latencyMs), share);
        simulation.Run(Until);

        var cap = (int)Math.Floor(share * Limit);
        Assert.All(ours.Accepted, window => Assert.InRange(window.Value, 0, cap));
        // Not vacuous: it takes nearly all of its share once it has learnt the window.
        var windows = simulation.MeasuredWindows(Until).ToList();
        Assert.True(windows.Average(w => ours.Accepted.GetValueOrDefault(w)) >= 0.9 * cap,
            $"took {string.Join(", ", windows.Select(w => ours.Accepted.GetValueOrDefault(w)))} of {cap}");
    }
}
