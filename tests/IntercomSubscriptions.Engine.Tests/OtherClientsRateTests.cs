using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>Another client's rate, read from Remaining falling faster than our own answers explain.</summary>
public sealed class OtherClientsRateTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private const int Limit = 1666;

    private static RateLimitReading Reading(long sequence, double countedAtSeconds, int remaining)
    {
        var countedAt = Start + TimeSpan.FromSeconds(countedAtSeconds);
        return new RateLimitReading(sequence, countedAt - TimeSpan.FromMilliseconds(100), countedAt + TimeSpan.FromMilliseconds(100), remaining);
    }

    [Fact]
    public void Alone_nothing_is_taken_for_another_client()
    {
        var rate = new OtherClientsRate(Reading(1, 0, Limit - 1), lastSentWhenAnswered: 1, counted: true, Window);
        for (var sequence = 2; sequence <= 200; sequence++)
            rate.Add(Reading(sequence, sequence * 0.01, Limit - sequence), lastSentWhenAnswered: sequence);
        Assert.Equal(0, rate.PerSecond(oldestInFlight: null));
    }

    [Theory]
    [InlineData(20)]
    [InlineData(83.3)]
    [InlineData(400)]
    public void Once_every_request_that_could_have_been_counted_before_an_answer_is_answered_their_count_is_exact(double othersPerSecond)
    {
        // Ours every 10 ms for 2 s, answered in pairs out of order (the second of each pair first).
        var theirsBy = (double seconds) => (int)Math.Floor(othersPerSecond * seconds);
        var rate = new OtherClientsRate(Reading(1, 0, Limit - 1), lastSentWhenAnswered: 1, counted: true, Window);
        for (var sequence = 2; sequence + 1 <= 201; sequence += 2)
        {
            foreach (var s in new[] { sequence + 1, sequence })
            {
                var at = s * 0.01;
                rate.Add(Reading(s, at, Limit - s - theirsBy(at)), lastSentWhenAnswered: sequence + 1);
            }
        }
        var measured = rate.PerSecond(oldestInFlight: null);
        var expected = theirsBy(2.01) / 2.01; // from the first (0 s, none of theirs yet) to the last (2.01 s)
        Assert.NotNull(measured);
        Assert.InRange(measured!.Value, expected * 0.99, expected * 1.01);
    }

    [Fact]
    public void An_answer_is_not_read_while_a_request_sent_before_it_came_is_still_in_flight()
    {
        // Request 4 went out just after request 3, overtook it and was counted first (Remaining 991, then
        // 3 at 990), with 7 of theirs counted since request 2. Request 3's answer comes first: until 4's
        // does, the fall to 990 could hold 4 as well as theirs, and only answers up to request 2 are read.
        var rate = new OtherClientsRate(Reading(1, 0, 1000), lastSentWhenAnswered: 1, counted: true, Window);
        rate.Add(Reading(2, 1.5, 999), lastSentWhenAnswered: 2);   // nothing of theirs by 1.5 s
        rate.Add(Reading(3, 3.0, 990), lastSentWhenAnswered: 4);   // request 4 was out when this came
        Assert.Equal(0, rate.PerSecond(oldestInFlight: 4));

        rate.Add(Reading(4, 2.9, 991), lastSentWhenAnswered: 4);
        Assert.Equal(7 / 3.0, rate.PerSecond(oldestInFlight: null)!.Value, precision: 6);
    }

    [Fact]
    public void Requests_that_ended_without_headers_are_never_taken_for_another_client()
    {
        var rate = new OtherClientsRate(Reading(1, 0, 1000), lastSentWhenAnswered: 1, counted: true, Window);
        rate.AddEndedUnknown();
        rate.AddEndedUnknown();
        rate.Add(Reading(4, 2, 997), lastSentWhenAnswered: 4); // 2 and 3 dropped: counted or not, they may be the fall
        Assert.Equal(0, rate.PerSecond(oldestInFlight: null));
    }

    [Fact]
    public void A_429_first_answer_is_not_one_of_ours_in_the_count()
    {
        var rate = new OtherClientsRate(Reading(1, 0, 0), lastSentWhenAnswered: 1, counted: false, Window);
        Assert.Equal(0, rate.OursCounted);
        rate.Add(Reading(2, 0.1, 0), lastSentWhenAnswered: 2);
        Assert.Equal(1, rate.OursCounted);
    }

    [Theory]
    [InlineData(10, 0.9, false)]  // 0.9 s of a 10-second window: too little to judge
    [InlineData(10, 1.0, true)]
    [InlineData(1, 0.1, true)]    // a tenth of a 1-second window is enough
    public void Another_client_is_judged_over_at_least_a_tenth_of_the_window(int windowSeconds, double span, bool judged)
    {
        var rate = new OtherClientsRate(Reading(1, 0, 1600), lastSentWhenAnswered: 1, counted: true, TimeSpan.FromSeconds(windowSeconds));
        rate.Add(Reading(2, span, 1500), lastSentWhenAnswered: 2);
        Assert.Equal(judged, rate.PerSecond(oldestInFlight: null) is > 0);
    }
}
