namespace IntercomSubscriptions.Engine;

/// <summary>
/// How fast other clients of the same app spend one of Intercom's rate-limit windows, read from
/// Remaining falling faster than this connection's own requests explain.
/// </summary>
/// <remarks>
/// <para>Between the window's first answer and a later one, Remaining fell by the requests the server
/// counted in between: ours, whose answers carry the Remaining they were counted at, and theirs. Each
/// of ours counted in between has a Remaining in that range, so once every request of ours that could
/// have been counted before the later answer has been answered, the count of theirs is exact. That is
/// the case for an answer once each request sent before it came back is settled (nothing older is in
/// flight): a request sent after its answer arrived cannot have been counted before it. Requests that
/// ended without headers may or may not have been counted, and are not taken for theirs.</para>
/// <para>The estimate is read from the lowest settled answer, so it lags by about a round trip, and is
/// given only over at least a tenth of the window: over less, a few requests make a rate too noisy to
/// use. Not thread-safe: the pacer holds its lock.</para>
/// </remarks>
internal sealed class OtherClientsRate
{
    // Another client's rate is read over at least this share of the window (1 s of Intercom's 10).
    private const int ShortestSpanPerWindow = 10;

    private readonly RateLimitReading _first;
    private readonly TimeSpan _shortestSpan;
    // The Remaining of each of our answers in the window that the server counted, highest first: the
    // count rises over time, so answers arrive nearly in this order and an insertion is nearly an append.
    private readonly List<int> _oursDescending = new();
    // Answers not yet settled, in the order they came (their LastSentWhenAnswered never decreases).
    private readonly Queue<(RateLimitReading Reading, long LastSentWhenAnswered)> _unsettled = new();
    private RateLimitReading _settledLowest;
    private int _endedUnknown;

    /// <param name="first">The window's first answer.</param>
    /// <param name="lastSentWhenAnswered">The sequence of the last request sent when the first answer came.</param>
    /// <param name="counted">False when the first answer was a 429 (the server did not count it).</param>
    public OtherClientsRate(RateLimitReading first, long lastSentWhenAnswered, bool counted, TimeSpan windowLength)
    {
        _first = first;
        _settledLowest = first;
        _shortestSpan = TimeSpan.FromTicks(windowLength.Ticks / ShortestSpanPerWindow);
        if (counted) _oursDescending.Add(first.Remaining);
        _unsettled.Enqueue((first, lastSentWhenAnswered));
    }

    /// <summary>Another answer of ours in this window, counted by the server (not a 429), and the last request sent when it came.</summary>
    public void Add(RateLimitReading reading, long lastSentWhenAnswered)
    {
        var index = _oursDescending.Count;
        while (index > 0 && _oursDescending[index - 1] < reading.Remaining) index--;
        _oursDescending.Insert(index, reading.Remaining);
        _unsettled.Enqueue((reading, lastSentWhenAnswered));
    }

    /// <summary>A request ended without headers while this window was current: it may be among the count, so it is never taken for theirs.</summary>
    public void AddEndedUnknown() => _endedUnknown++;

    /// <summary>The shortest span their rate is read over: a tenth of the window.</summary>
    public TimeSpan ShortestSpan => _shortestSpan;

    /// <summary>Our answers in this window that the server counted.</summary>
    public int OursCounted => _oursDescending.Count;

    /// <summary>
    /// Requests per second that other clients spent of this window between its first answer and the
    /// lowest settled one; null until those lie a tenth of the window apart. <paramref name="oldestInFlight"/>
    /// is the sequence of our oldest request still in flight (null when none is).
    /// </summary>
    public double? PerSecond(long? oldestInFlight)
    {
        Settle(oldestInFlight);
        var span = _settledLowest.CountedAt - _first.CountedAt;
        if (span < _shortestSpan || span <= TimeSpan.Zero) return null;
        var ours = CountedBetween(_settledLowest.Remaining, _first.Remaining);
        var theirs = _first.Remaining - _settledLowest.Remaining - ours - _endedUnknown;
        return theirs <= 0 ? 0 : theirs / span.TotalSeconds;
    }

    private void Settle(long? oldestInFlight)
    {
        while (_unsettled.Count > 0 && (oldestInFlight is not { } oldest || _unsettled.Peek().LastSentWhenAnswered < oldest))
        {
            var (reading, _) = _unsettled.Dequeue();
            if (reading.Remaining < _settledLowest.Remaining) _settledLowest = reading;
        }
    }

    /// <summary>Our answers with a Remaining from <paramref name="low"/> up to, not including, <paramref name="high"/>.</summary>
    private int CountedBetween(int low, int high) => FirstBelow(low) - FirstBelow(high);

    /// <summary>The index of the first of ours with a Remaining below <paramref name="value"/> (the list is highest first).</summary>
    private int FirstBelow(int value)
    {
        int lo = 0, hi = _oursDescending.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (_oursDescending[mid] < value) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }
}
