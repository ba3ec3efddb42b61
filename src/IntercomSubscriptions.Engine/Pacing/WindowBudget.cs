namespace IntercomSubscriptions.Engine;

/// <summary>
/// What one of Intercom's rate-limit windows still allows this connection: a lower bound built from
/// the answers seen in it, less an allowance for other clients of the same app.
/// </summary>
/// <remarks>
/// <para>The answer with the lowest Remaining (the "lowest") is the latest point of the server's count
/// that we know. After it the server may have counted: every request we sent since, and those sent
/// before it that were still open when it went (<see cref="RequestsInDoubt.MayFollow"/>). Requests
/// sent before it and answered with a higher Remaining were counted before it, so as the answers of the
/// requests that were in flight beside it come back, the budget they held comes back too. This is what
/// lets a connection with 60 requests in flight at 300 ms use all but a handful of a window, where
/// lowering every answer's Remaining by all that might follow it would keep about one concurrency's
/// worth (4% of 1,666) in reserve for good.</para>
/// <para>Intercom's limit belongs to the app, and another integration or script may spend the same
/// window. Its requests show as Remaining falling faster than ours explain: between the first answer of
/// the window and the lowest, the fall less our requests counted in between is theirs. Their rate
/// times the time since the lowest was sent is kept back, so a shared window ends with few 429s
/// rather than one per request in flight.</para>
/// </remarks>
internal sealed class WindowBudget
{
    // Another client's rate is read over at least this share of the window (1 s of Intercom's 10):
    // over less, a few requests make a rate too noisy to use.
    private const int ShortestSpanPerWindow = 10;

    private readonly RateLimitReading _first;
    private readonly TimeSpan _shortestSpanForOthersRate;
    private RateLimitReading _lowest;
    private int _oursCountedAfterFirst;   // answers in this window with a Remaining below the first's
    private int _endedUnknown;            // requests that ended without headers while this window was current

    public WindowBudget(RateLimitReading first, TimeSpan windowLength)
    {
        _shortestSpanForOthersRate = TimeSpan.FromTicks(windowLength.Ticks / ShortestSpanPerWindow);
        _first = first;
        _lowest = first;
    }

    /// <summary>The request of the lowest Remaining seen: what <see cref="Available"/> counts from.</summary>
    public long LowestSequence => _lowest.Sequence;

    /// <summary>Another answer from this window.</summary>
    public void Add(RateLimitReading reading)
    {
        if (reading.Remaining < _first.Remaining) _oursCountedAfterFirst++;
        if (reading.Remaining < _lowest.Remaining) _lowest = reading;
    }

    /// <summary>A request ended without headers while this window was current: it may be among its count.</summary>
    public void AddEndedUnknown() => _endedUnknown++;

    /// <summary>
    /// Requests that may still be sent in this window: the lowest Remaining, less what we sent since it
    /// (<paramref name="lastSent"/> − its sequence), less ours that may follow it
    /// (<paramref name="mayFollowLowest"/>), less what other clients are likely to spend until a request
    /// sent at <paramref name="now"/> arrives. Zero or less means none.
    /// </summary>
    public int Available(long lastSent, int mayFollowLowest, DateTimeOffset now)
    {
        var left = (long)_lowest.Remaining - (lastSent - _lowest.Sequence) - mayFollowLowest;
        var others = OthersPerSecond(mayFollowLowest);
        if (others > 0)
            left -= (long)Math.Ceiling(others * Math.Max(0, (now - _lowest.SentAt).TotalSeconds));
        return (int)Math.Max(int.MinValue, Math.Min(int.MaxValue, left));
    }

    /// <summary>
    /// Requests per second that other clients spent from this window between its first answer and the
    /// lowest: the fall of Remaining less ours counted in between and ours that may have been (a lower
    /// estimate, so that our own uncertainty is never mistaken for another client).
    /// </summary>
    internal double OthersPerSecond(int mayFollowLowest)
    {
        var span = _lowest.CountedAt - _first.CountedAt;
        if (span < _shortestSpanForOthersRate) return 0;
        var theirs = (_first.Remaining - _lowest.Remaining) - _oursCountedAfterFirst - mayFollowLowest - _endedUnknown;
        return theirs <= 0 ? 0 : theirs / span.TotalSeconds;
    }
}
