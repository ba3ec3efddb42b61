namespace IntercomSubscriptions.Engine;

/// <summary>
/// How many requests one connection keeps on the wire, found from what it measures rather than
/// set by the user. Intercom limits a workspace by rate (X-RateLimit-Limit requests per 10-second
/// window), not by concurrency, and the rate a client reaches is concurrency / latency (Little's
/// law). So the limit is <c>rate × latency × Headroom + Spare</c>: at Intercom's 1,666 per 10 s,
/// about 8 at 20 ms, 32 at 150 ms and 59 at 300 ms. More than that buys nothing: the
/// <see cref="RateLimitPacer"/> holds the surplus until the window resets, and every extra request
/// in flight near a window's end is one more that may find it spent, and one more place the pacer
/// must hold in doubt until its answer comes back.
/// </summary>
/// <remarks>
/// <para>Latency is an exponentially weighted mean of the time on the wire (after the pacer let the
/// request go, so waiting for a window never inflates it). The rate is the window's limit over
/// the window's length: Intercom's are 10 s (<see cref="DefaultWindowLength"/>), and the pacer learns the
/// length from the Resets it sees (<see cref="RateLimitPacer.WindowLength"/>); until the first answer tells the limit,
/// <see cref="Initial"/> requests go at once.</para>
/// <para>The limit rises by at most one per answer (slow start, as TCP: at most doubling per round
/// trip), and falls at once: a first answer slowed by a new connection or a cold start would
/// otherwise set the mean latency, and the limit, far too high for the first round trips.</para>
/// <para>A 429 means the budget was shared or smaller than it looked: the Little's-law term is
/// halved (at most once per round trip, so one burst of 429s counts once) and grows back additively,
/// by <see cref="RecoveryPerSecond"/> of itself a second: AIMD, as TCP and Netflix's
/// concurrency-limits do. A small window (167 per 10 s) gives a limit of about 5 at 20 ms, so the
/// first burst cannot be a 429 storm.</para>
/// Thread-safe; the clock is a <see cref="TimeProvider"/> so tests move it by hand.
/// </remarks>
internal sealed class AdaptiveConcurrencyLimit
{
    public const int Initial = 8;
    public const int Minimum = 1;
    public const int Maximum = 256;
    internal const double Headroom = 1.1;
    internal const int Spare = 4;
    internal const double LatencyWeight = 0.1;
    internal const double RecoveryPerSecond = 0.1;
    internal const double SmallestShare = 1.0 / 16;
    internal static readonly TimeSpan DefaultWindowLength = TimeSpan.FromSeconds(10);

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private double? _latencySeconds;
    private int? _requestsPerWindow;
    private TimeSpan _windowLength = DefaultWindowLength;
    private double _shareAfterDecrease = 1;
    private DateTimeOffset _decreasedAt = DateTimeOffset.MinValue;
    private int _reached = Initial;

    public AdaptiveConcurrencyLimit(TimeProvider time) => _time = time;

    /// <summary>Requests that may be on the wire now.</summary>
    public int Limit
    {
        get
        {
            lock (_gate) return Math.Min(_reached, Target(_time.GetUtcNow()));
        }
    }

    /// <summary>The mean time on the wire measured so far; null before the first answer.</summary>
    public TimeSpan? Latency { get { lock (_gate) return _latencySeconds is { } s ? TimeSpan.FromSeconds(s) : null; } }

    /// <summary>
    /// One answer: how long it took on the wire, its status, the window's limit when the answer said
    /// it (X-RateLimit-Limit), and the window's length when known.
    /// </summary>
    public void OnAnswer(TimeSpan onTheWire, int statusCode, long? requestsPerWindow, TimeSpan? windowLength = null)
    {
        lock (_gate)
        {
            if (windowLength is { } length && length > TimeSpan.Zero)
                _windowLength = length;
            var seconds = Math.Max(0, onTheWire.TotalSeconds);
            _latencySeconds = _latencySeconds is { } mean ? mean + LatencyWeight * (seconds - mean) : seconds;
            if (requestsPerWindow is > 0)
                _requestsPerWindow = (int)Math.Min(int.MaxValue, requestsPerWindow.Value);
            var now = _time.GetUtcNow();
            // One burst of 429s is one signal: the answers to requests sent together arrive within a round trip.
            if (statusCode == 429 && now - _decreasedAt >= TimeSpan.FromSeconds(_latencySeconds.Value))
            {
                _shareAfterDecrease = Math.Max(SmallestShare, Share(now) / 2);
                _decreasedAt = now;
            }
            _reached = Math.Min(Target(now), _reached + 1);
        }
    }

    /// <summary>Little's law with headroom, before the slow-start bound.</summary>
    private int Target(DateTimeOffset now)
    {
        if (_latencySeconds is not { } latency || _requestsPerWindow is not { } perWindow)
            return Initial;
        var rate = perWindow / _windowLength.TotalSeconds;
        var needed = Math.Ceiling(rate * latency * Headroom * Share(now));
        return (int)Math.Max(Minimum, Math.Min(Maximum, needed + Spare));
    }

    private double Share(DateTimeOffset now) =>
        _decreasedAt == DateTimeOffset.MinValue
            ? 1
            : Math.Min(1, _shareAfterDecrease + RecoveryPerSecond * Math.Max(0, (now - _decreasedAt).TotalSeconds));
}
