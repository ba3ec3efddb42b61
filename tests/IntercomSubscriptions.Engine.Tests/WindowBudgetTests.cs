using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>The budget of one rate-limit window: what our answers prove, and what another client of the app takes.</summary>
public sealed class WindowBudgetTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly TimeSpan RoundTrip = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    /// <summary>
    /// 101 of our requests, one every 20 ms, each answered a round trip later, while another client
    /// spends <paramref name="othersPerSecond"/> a second of the same window.
    /// </summary>
    private static (WindowBudget Budget, RateLimitReading Last) Run(double othersPerSecond)
    {
        const int Limit = 1666;
        RateLimitReading Reading(int sequence)
        {
            var sentAt = Start + TimeSpan.FromMilliseconds(20 * (sequence - 1));
            var countedAt = sentAt + RoundTrip / 2;
            var theirs = (int)Math.Floor(othersPerSecond * (countedAt - Start).TotalSeconds);
            return new RateLimitReading(sequence, sentAt, sentAt + RoundTrip, Limit - sequence - theirs);
        }
        var budget = new WindowBudget(Reading(1), Window);
        for (var sequence = 2; sequence <= 101; sequence++)
            budget.Add(Reading(sequence));
        return (budget, Reading(101));
    }

    [Fact]
    public void Alone_in_the_window_the_budget_is_the_lowest_Remaining_less_what_was_sent_since()
    {
        var (budget, last) = Run(othersPerSecond: 0);
        Assert.Equal(0, budget.OthersPerSecond(mayFollowLowest: 0));
        Assert.Equal(last.Remaining - 12, budget.Available(last.Sequence + 12, mayFollowLowest: 0, last.SentAt + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Our_own_requests_in_doubt_are_never_taken_for_another_client()
    {
        // Ten of ours were in flight beside the lowest and counted before it: the fall of Remaining
        // is then ten more than our answers explain, and those ten must not read as another client.
        var budget = new WindowBudget(new RateLimitReading(1, Start, Start + RoundTrip, 1665), Window);
        budget.Add(new RateLimitReading(30, Start + TimeSpan.FromSeconds(2), Start + TimeSpan.FromSeconds(2) + RoundTrip, 1665 - 29));
        Assert.Equal(0, budget.OthersPerSecond(mayFollowLowest: 28));
    }

    [Theory]
    [InlineData(50)]
    [InlineData(400)]
    public void Another_clients_rate_is_read_from_Remaining_falling_faster_than_ours_and_kept_back(double othersPerSecond)
    {
        var (budget, last) = Run(othersPerSecond);
        var measured = budget.OthersPerSecond(mayFollowLowest: 0);
        Assert.InRange(measured, othersPerSecond * 0.9, othersPerSecond * 1.1);

        // A second after the lowest went out, about a second of theirs is kept back.
        var available = budget.Available(last.Sequence, mayFollowLowest: 0, last.SentAt + TimeSpan.FromSeconds(1));
        Assert.InRange(last.Remaining - available, othersPerSecond * 0.9, othersPerSecond * 1.1 + 1);
    }

    [Theory]
    [InlineData(10, 900, false)]  // 0.9 s of a 10-second window: too little to judge
    [InlineData(10, 1000, true)]
    [InlineData(1, 100, true)]    // a tenth of a 1-second window is enough
    public void Another_client_is_judged_over_at_least_a_tenth_of_the_window(int windowSeconds, int spanMs, bool judged)
    {
        var budget = new WindowBudget(
            new RateLimitReading(1, Start, Start + RoundTrip, 1600), TimeSpan.FromSeconds(windowSeconds));
        var later = Start + TimeSpan.FromMilliseconds(spanMs);
        budget.Add(new RateLimitReading(2, later, later + RoundTrip, 1500));
        Assert.Equal(judged, budget.OthersPerSecond(mayFollowLowest: 0) > 0);
    }
}
