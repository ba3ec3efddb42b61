using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>Which of our requests may have been counted after a given one, and that the record of them stays small.</summary>
public sealed class RequestsInDoubtTests
{
    [Fact]
    public void Requests_sent_before_one_and_still_open_or_ended_after_it_went_may_follow_it()
    {
        var doubt = new RequestsInDoubt();
        for (var sequence = 1; sequence <= 5; sequence++) doubt.Sent(sequence);
        doubt.Settled(1);                                  // answered: its place is known
        doubt.EndedUnknown(2, lastSent: 5, lowestInUse: 4); // ended after 4 went out: may follow it
        Assert.Equal(2, doubt.MayFollow(4));               // 2 (ended unknown) and 3 (in flight)
        Assert.Equal(0, doubt.MayFollow(2));
    }

    [Fact]
    public void A_request_that_ended_before_the_lowest_was_sent_cannot_follow_it()
    {
        var doubt = new RequestsInDoubt();
        doubt.Sent(1);
        doubt.EndedUnknown(1, lastSent: 1, lowestInUse: null);
        doubt.Sent(2);
        Assert.Equal(0, doubt.MayFollow(2));
    }

    [Fact]
    public void A_server_that_never_sends_rate_limit_headers_leaves_no_trail()
    {
        // 10,000 requests, 8 at a time, each ending without headers and no window ever known.
        var doubt = new RequestsInDoubt();
        long sent = 0;
        for (var i = 0; i < 8; i++) doubt.Sent(++sent);
        for (long ending = 1; ending <= 10_000; ending++)
        {
            doubt.EndedUnknown(ending, sent, lowestInUse: null);
            doubt.Sent(++sent);
            Assert.InRange(doubt.EndedUnknownKept, 0, 16);
        }
        Assert.Equal(8, doubt.InFlight);
    }
}
