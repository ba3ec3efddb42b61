namespace IntercomSubscriptions.Engine;

/// <summary>
/// The most of each rate-limit window one connection may have counted, when it was given a share of
/// the app's limit (<see cref="IntercomClientOptions.RateLimitShare"/>): a ceiling of its own, whatever
/// it sees of other clients.
/// </summary>
/// <remarks>
/// <para>Which window the server counts a request in is known only from its answer. So a request may
/// count in a window if it was answered there, is still in flight, or ended without an answer after the
/// window began (by our clock, less the pacer's slack for a server clock a little behind ours). That
/// bound is what is held under the cap.</para>
/// <para>Until the first answer tells the limit, one request goes at a time; after a request ended
/// without an answer then, the next waits a default window, since it may have been counted and the
/// window's length is not known. Not thread-safe: the pacer holds its lock.</para>
/// </remarks>
internal sealed class ShareCap
{
    private readonly double _share;
    // When each request that ended without an answer ended, kept for two windows.
    private readonly Queue<DateTimeOffset> _endedUnknownAt = new();

    public ShareCap(double share)
    {
        if (!(share > 0 && share <= 1))
            throw new ArgumentOutOfRangeException(nameof(share), share, "A share of the rate limit is more than 0 and at most 1.");
        _share = share;
    }

    /// <summary>The most of a window of <paramref name="limit"/> requests this connection takes (at least one).</summary>
    public int Of(int limit) => Math.Max(1, (int)Math.Floor(_share * limit));

    /// <summary>A request ended with nothing to say whether, or in which window, the server counted it.</summary>
    public void EndedUnknown(DateTimeOffset now, TimeSpan windowLength)
    {
        _endedUnknownAt.Enqueue(now);
        while (_endedUnknownAt.Peek() < now - windowLength - windowLength) _endedUnknownAt.Dequeue();
    }

    /// <summary>Requests that ended without an answer since <paramref name="windowStart"/> (less the slack): they may count in that window.</summary>
    public int EndedUnknownSince(DateTimeOffset windowStart)
    {
        var since = windowStart - RateLimitPacer.ResetSlack;
        var count = 0;
        foreach (var at in _endedUnknownAt)
            if (at >= since) count++;
        return count;
    }

    /// <summary>
    /// Before any answer told the limit: whether a request may go now (one at a time, none for a default
    /// window after one ended without an answer).
    /// </summary>
    public bool MayGoBeforeTheLimitIsKnown(int inFlight, DateTimeOffset now)
    {
        if (inFlight > 0) return false;
        foreach (var at in _endedUnknownAt)
            if (at > now - AdaptiveConcurrencyLimit.DefaultWindowLength) return false;
        return true;
    }
}
