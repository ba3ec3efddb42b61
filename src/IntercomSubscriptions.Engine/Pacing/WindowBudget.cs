namespace IntercomSubscriptions.Engine;

/// <summary>
/// What one of Intercom's rate-limit windows still allows this connection: a lower bound built from
/// the answers seen in it, less what other clients of the same app are likely to spend of it before
/// it ends.
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
/// window: the company's own backend, often. Its rate (<see cref="OtherClientsRate"/>, or the previous
/// window's until this one has shown enough) times what is left of the window after the lowest, with a
/// tenth more up to half the limit (<see cref="KeptBackPerSecond"/>), is kept back for it: the room it
/// needs for the rest of the window, not only until our next request arrives. While others are seen, <see cref="SpreadWait"/> spreads what is
/// left for us through the rest of the window, so that each request goes with the latest reading of
/// their rate, and an error in it costs them little at the window's end.</para>
/// <para>A rate kept back in full stops our requests, and with them the answers that would show it
/// wrong: two copies of the module that each saw the other at full speed would hold each other back
/// for good on the last window's reading. So while only the room kept for others holds us back, one
/// request goes now and then (<see cref="MayProbe"/>) to read their rate again.</para>
/// </remarks>
internal sealed class WindowBudget
{
    /// <summary>
    /// Other clients are left this much more than the rate they were seen using: a steady client's
    /// pace varies a little, and running short costs it a 429, where the room given costs us a few
    /// requests a window.
    /// </summary>
    internal const double OthersHeadroom = 1.1;

    private readonly OtherClientsRate _others;
    private readonly TimeSpan _windowLength;
    private readonly DateTimeOffset _endsAt;
    private readonly double _othersBefore;   // the previous window's estimate, until this one's is ready
    private readonly double _halfLimitPerSecond;
    private RateLimitReading _lowest;

    /// <param name="first">The window's first answer.</param>
    /// <param name="lastSent">The sequence of the last request sent when it came.</param>
    /// <param name="counted">False when it was a 429 (the server did not count it).</param>
    /// <param name="limit">The window's limit (X-RateLimit-Limit).</param>
    /// <param name="windowLength">The window's length (learnt, or Intercom's 10 s).</param>
    /// <param name="endsAt">When the server's window ends (its Reset), by our clock.</param>
    /// <param name="othersPerSecondBefore">Other clients' rate in the previous window, 0 when none was seen.</param>
    public WindowBudget(RateLimitReading first, long lastSent, bool counted, int limit, TimeSpan windowLength, DateTimeOffset endsAt, double othersPerSecondBefore)
    {
        _halfLimitPerSecond = limit / 2.0 / windowLength.TotalSeconds;
        _others = new OtherClientsRate(first, lastSent, counted, windowLength);
        _windowLength = windowLength;
        _endsAt = endsAt;
        _othersBefore = othersPerSecondBefore;
        _lowest = first;
    }

    /// <summary>The request of the lowest Remaining seen: what <see cref="Available"/> counts from.</summary>
    public long LowestSequence => _lowest.Sequence;

    /// <summary>Our requests the server counted in this window, by their answers.</summary>
    public int OursCounted => _others.OursCounted;

    /// <summary>
    /// Another answer from this window; <paramref name="counted"/> is false for a 429 (the server did not
    /// count it); <paramref name="lastSent"/> is the sequence of the last request sent when it came.
    /// </summary>
    public void Add(RateLimitReading reading, long lastSent, bool counted)
    {
        if (counted) _others.Add(reading, lastSent);
        if (reading.Remaining < _lowest.Remaining) _lowest = reading;
    }

    /// <summary>A request ended without headers while this window was current: it may be among its count.</summary>
    public void AddEndedUnknown() => _others.AddEndedUnknown();

    /// <summary>
    /// Requests per second other clients are spending of this window: read in it once it has shown
    /// enough, the previous window's until then. <paramref name="oldestInFlight"/>: our oldest request
    /// still in flight, if any.
    /// </summary>
    public double OthersPerSecond(long? oldestInFlight) => _others.PerSecond(oldestInFlight) ?? _othersBefore;

    /// <summary>
    /// Requests that may still be sent in this window: the lowest Remaining, less what we sent since it
    /// (<paramref name="lastSent"/> − its sequence), less ours that may follow it
    /// (<paramref name="mayFollowLowest"/>), less what other clients are likely to spend from the
    /// lowest's count to the window's end. Zero or less means none.
    /// </summary>
    public int Available(long lastSent, int mayFollowLowest, long? oldestInFlight)
    {
        var left = (long)ProvenLeft(lastSent, mayFollowLowest);
        var others = OthersPerSecond(oldestInFlight);
        if (others > 0)
            left -= (long)Math.Ceiling(KeptBackPerSecond(others) * Clamp(_endsAt - _lowest.CountedAt).TotalSeconds);
        return (int)Math.Max(int.MinValue, Math.Min(int.MaxValue, left));
    }

    /// <summary>
    /// The room kept for other clients spending <paramref name="others"/> a second: that, and a tenth more,
    /// but the tenth only up to half the limit. Beyond that the extra room is not kept: a client as greedy
    /// as we are (another copy of the module) would be left more than it takes, take it, and leave us
    /// less each window; without the extra, two such clients settle at half the limit each.
    /// </summary>
    private double KeptBackPerSecond(double others) =>
        Math.Min(others * OthersHeadroom, Math.Max(others, _halfLimitPerSecond));

    /// <summary>What the server still allows for all we know, before anything is kept back for other clients.</summary>
    private int ProvenLeft(long lastSent, int mayFollowLowest) =>
        (int)Math.Max(int.MinValue, Math.Min(int.MaxValue, (long)_lowest.Remaining - (lastSent - _lowest.Sequence) - mayFollowLowest));

    /// <summary>
    /// When only the room kept for other clients holds us back (the server still has room), nothing of
    /// ours is in flight and none went for a tenth of the window: one request may go, so that its answer
    /// reads their rate again. Null when no probe may go; otherwise, how long until one may (zero: now).
    /// </summary>
    public TimeSpan? MayProbe(long lastSent, int mayFollowLowest, int inFlight, DateTimeOffset lastSentAt, DateTimeOffset now)
    {
        if (inFlight > 0 || ProvenLeft(lastSent, mayFollowLowest) <= 0) return null;
        var next = lastSentAt + _others.ShortestSpan;
        return next > now ? next - now : TimeSpan.Zero;
    }

    /// <summary>
    /// While other clients are seen: how long to wait before the next request, so that the
    /// <paramref name="available"/> requests left for us go evenly through the rest of the window
    /// (the last counted before it ends) rather than at once; null to send now.
    /// </summary>
    public TimeSpan? SpreadWait(int available, DateTimeOffset lastSentAt, DateTimeOffset now, long? oldestInFlight)
    {
        if (available <= 0 || OthersPerSecond(oldestInFlight) <= 0) return null;
        // Our request is counted about half a round trip after it is sent.
        var lastUsefulSend = _endsAt - (_lowest.CountedAt - _lowest.SentAt);
        var left = Clamp(lastUsefulSend - now);
        if (left <= TimeSpan.Zero) return null;
        var next = lastSentAt + TimeSpan.FromTicks(left.Ticks / available);
        return next > now ? next - now : null;
    }

    /// <summary>A span of this window: never negative, and never more than a window (a Reset far off means clocks disagree).</summary>
    private TimeSpan Clamp(TimeSpan span) =>
        span < TimeSpan.Zero ? TimeSpan.Zero : span > _windowLength ? _windowLength : span;
}
