using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>The budget of one rate-limit window: what our answers prove, and the room other clients of the app keep.</summary>
public sealed class WindowBudgetTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly TimeSpan RoundTrip = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset WindowEnd = Start + Window;
    private const int Limit = 1666;

    /// <summary>
    /// 101 of our requests, one every 20 ms from the window's start, each answered a round trip later
    /// (and all answered), while another client spends <paramref name="othersPerSecond"/> a second of the same window.
    /// </summary>
    private static (WindowBudget Budget, RateLimitReading Last) Run(double othersPerSecond, double othersBefore = 0)
    {
        RateLimitReading Reading(int sequence)
        {
            var sentAt = Start + TimeSpan.FromMilliseconds(20 * (sequence - 1));
            var countedAt = sentAt + RoundTrip / 2;
            var theirs = (int)Math.Floor(othersPerSecond * (countedAt - Start).TotalSeconds);
            return new RateLimitReading(sequence, sentAt, sentAt + RoundTrip, Limit - sequence - theirs);
        }
        var budget = new WindowBudget(Reading(1), lastSent: 10, counted: true, Limit, Window, WindowEnd, othersBefore);
        for (var sequence = 2; sequence <= 101; sequence++)
            budget.Add(Reading(sequence), lastSent: Math.Min(101, sequence + 10), counted: true);
        return (budget, Reading(101));
    }

    [Fact]
    public void Alone_in_the_window_the_budget_is_the_lowest_Remaining_less_what_was_sent_since()
    {
        var (budget, last) = Run(othersPerSecond: 0);
        Assert.Equal(0, budget.OthersPerSecond(oldestInFlight: null));
        Assert.Equal(last.Remaining - 12, budget.Available(last.Sequence + 12, mayFollowLowest: 0, oldestInFlight: last.Sequence + 1));
        Assert.Null(budget.SpreadWait(available: 100, lastSentAt: last.SentAt, now: last.AnsweredAt, oldestInFlight: null));
    }

    [Theory]
    [InlineData(50, WindowBudget.OthersHeadroom)]
    [InlineData(80, Limit / 2.0 / 10 / 80)]  // a tenth more would be more than half the limit: up to half only
    [InlineData(400, 1.0)]                    // more than half the limit: what they use, no more
    public void Another_clients_rate_is_kept_back_for_the_rest_of_the_window_with_headroom_up_to_half_the_limit(double othersPerSecond, double headroom)
    {
        var (budget, last) = Run(othersPerSecond);
        Assert.InRange(budget.OthersPerSecond(oldestInFlight: null), othersPerSecond * 0.95, othersPerSecond * 1.05);

        // Not only until our next request arrives: until the window ends, 10 s after it began.
        var available = budget.Available(last.Sequence, mayFollowLowest: 0, oldestInFlight: null);
        var restOfWindow = (WindowEnd - last.CountedAt).TotalSeconds;
        var keptBack = last.Remaining - available;
        Assert.InRange(keptBack, othersPerSecond * restOfWindow * headroom * 0.95, othersPerSecond * restOfWindow * headroom * 1.05 + 1);
    }

    [Fact]
    public void Until_the_window_has_shown_enough_the_previous_windows_rate_is_kept_back()
    {
        var first = new RateLimitReading(1, Start, Start + RoundTrip, 1600);
        var budget = new WindowBudget(first, lastSent: 1, counted: true, Limit, Window, WindowEnd, othersPerSecondBefore: 60);
        Assert.Equal(60, budget.OthersPerSecond(oldestInFlight: null));
        var expected = 1600 - (int)Math.Ceiling(60 * WindowBudget.OthersHeadroom * (WindowEnd - first.CountedAt).TotalSeconds);
        Assert.Equal(expected, budget.Available(lastSent: 1, mayFollowLowest: 0, oldestInFlight: null));
    }

    [Fact]
    public void A_Reset_far_off_keeps_back_at_most_a_windows_worth_of_theirs()
    {
        // Clocks that disagree by an hour must not keep back an hour of another client's requests.
        var first = new RateLimitReading(1, Start, Start + RoundTrip, 1600);
        var budget = new WindowBudget(first, lastSent: 1, counted: true, Limit, Window, Start + TimeSpan.FromHours(1), othersPerSecondBefore: 10);
        Assert.Equal(1600 - (int)Math.Ceiling(10 * WindowBudget.OthersHeadroom * 10), budget.Available(lastSent: 1, mayFollowLowest: 0, oldestInFlight: null));
    }

    [Fact]
    public void While_others_are_seen_what_is_left_is_spread_evenly_through_the_rest_of_the_window()
    {
        var first = new RateLimitReading(1, Start, Start + RoundTrip, 1600);
        var budget = new WindowBudget(first, lastSent: 1, counted: true, Limit, Window, WindowEnd, othersPerSecondBefore: 80);
        var now = Start + TimeSpan.FromSeconds(2);
        // The last request worth sending goes half a round trip before the window ends: 7.9 s from now,
        // for 79 requests, one every 100 ms.
        Assert.Equal(TimeSpan.FromMilliseconds(100), budget.SpreadWait(available: 79, lastSentAt: now, now, oldestInFlight: null));
        Assert.Equal(TimeSpan.FromMilliseconds(60), budget.SpreadWait(available: 79, lastSentAt: now - TimeSpan.FromMilliseconds(40), now, oldestInFlight: null));
        Assert.Null(budget.SpreadWait(available: 79, lastSentAt: now - TimeSpan.FromMilliseconds(100), now, oldestInFlight: null));
        // At the window's end, what is left goes at once.
        Assert.Null(budget.SpreadWait(available: 5, lastSentAt: WindowEnd, WindowEnd, oldestInFlight: null));
    }

    [Fact]
    public void Held_back_only_for_other_clients_one_request_goes_now_and_then_to_read_their_rate_again()
    {
        // The last window's reading keeps back more than is left: all of it is theirs, if it still holds.
        var first = new RateLimitReading(1, Start, Start + RoundTrip, 800);
        var budget = new WindowBudget(first, lastSent: 1, counted: true, Limit, Window, WindowEnd, othersPerSecondBefore: 160);
        Assert.True(budget.Available(lastSent: 1, mayFollowLowest: 0, oldestInFlight: null) <= 0);

        var now = Start + TimeSpan.FromMilliseconds(300);
        // A tenth of the window after the last request went, with nothing in flight: one may go.
        Assert.Equal(TimeSpan.FromMilliseconds(700), budget.MayProbe(lastSent: 1, mayFollowLowest: 0, inFlight: 0, lastSentAt: Start, now));
        Assert.Equal(TimeSpan.Zero, budget.MayProbe(lastSent: 1, mayFollowLowest: 0, inFlight: 0, lastSentAt: Start, now + TimeSpan.FromMilliseconds(700)));
        // Not while one is out (its answer will tell), nor when the server itself may have no room.
        Assert.Null(budget.MayProbe(lastSent: 2, mayFollowLowest: 0, inFlight: 1, lastSentAt: Start, now + TimeSpan.FromSeconds(2)));
        Assert.Null(budget.MayProbe(lastSent: 801, mayFollowLowest: 0, inFlight: 0, lastSentAt: Start, now + TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void Our_requests_counted_in_the_window_are_those_answered_in_it_but_not_with_a_429()
    {
        var (budget, _) = Run(othersPerSecond: 0);
        budget.AddEndedUnknown();
        budget.Add(new RateLimitReading(102, Start, Start + RoundTrip, 0), lastSent: 102, counted: false);
        Assert.Equal(101, budget.OursCounted);
    }
}
