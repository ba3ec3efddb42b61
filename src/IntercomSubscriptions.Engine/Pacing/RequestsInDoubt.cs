namespace IntercomSubscriptions.Engine;

/// <summary>
/// The requests of one connection whose place in the server's count is not known: those still in
/// flight, and those that ended without rate-limit headers (a dropped connection, a timeout, a proxy's
/// answer), which the server may or may not have counted. An answer with headers settles a request:
/// its Remaining says where it was counted.
/// </summary>
/// <remarks>
/// The <see cref="RateLimitPacer"/> asks how many of these may have been counted after a given
/// request (<see cref="MayFollow"/>): the ones sent before it and still open, or ended only after it was
/// sent. Requests sent after it are the pacer's to count. Not thread-safe: the pacer holds its lock.
/// </remarks>
internal sealed class RequestsInDoubt
{
    private readonly SortedSet<long> _inFlight = new();
    // Ended without headers: the request's sequence, and the last sequence sent when it ended.
    private readonly List<(long Sequence, long EndedWhenSent)> _endedUnknown = new();

    public int InFlight => _inFlight.Count;

    /// <summary>The sequence of the oldest request still in flight; null when none is.</summary>
    public long? OldestInFlight => _inFlight.Count > 0 ? _inFlight.Min : null;

    public void Sent(long sequence) => _inFlight.Add(sequence);

    /// <summary>An answer with rate-limit headers: where it was counted is known.</summary>
    public void Settled(long sequence) => _inFlight.Remove(sequence);

    /// <summary>Requests that ended unknown and are still kept (they may follow a lowest answer).</summary>
    internal int EndedUnknownKept => _endedUnknown.Count;

    /// <summary>
    /// Ended with nothing to say where, or whether, the server counted it. <paramref name="lowestInUse"/>
    /// is the sequence of the window's lowest answer, if a window is known: only a request that ended
    /// after the lowest (or a later one) was sent can follow it, so every ended request older than both
    /// that and the oldest request still in flight is forgotten here. Without that, a server that never
    /// sends rate-limit headers would leave one entry per request for the connection's life.
    /// </summary>
    public void EndedUnknown(long sequence, long lastSent, long? lowestInUse)
    {
        if (_inFlight.Remove(sequence))
            _endedUnknown.Add((sequence, lastSent));
        var oldestThatMatters = _inFlight.Count > 0 ? _inFlight.Min : lastSent + 1;
        if (lowestInUse is { } lowest && lowest < oldestThatMatters) oldestThatMatters = lowest;
        _endedUnknown.RemoveAll(e => e.EndedWhenSent < oldestThatMatters);
    }

    /// <summary>
    /// Requests sent before <paramref name="sequence"/> that may have reached the server after it did:
    /// still in flight, or ended (unknown) after it was sent. Only asks: what can no longer matter is
    /// forgotten in <see cref="EndedUnknown"/>, not here on every request's way out.
    /// </summary>
    public int MayFollow(long sequence)
    {
        var count = 0;
        foreach (var open in _inFlight)
        {
            if (open >= sequence) break;
            count++;
        }
        foreach (var ended in _endedUnknown)
        {
            if (ended.Sequence < sequence && ended.EndedWhenSent >= sequence) count++;
        }
        return count;
    }
}
