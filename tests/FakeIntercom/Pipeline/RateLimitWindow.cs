namespace FakeIntercom.Pipeline;

/// <summary>
/// Intercom's fixed rate-limit window: <c>limit</c> requests per <c>windowSeconds</c>, the windows
/// aligned to the Unix epoch, reset at the end of the current one. The only place the window is
/// computed: counting requests and reporting the headers without counting both go through it.
/// </summary>
internal sealed class RateLimitWindow
{
    private readonly object _gate = new();
    private long _start = long.MinValue;
    private int _windowSeconds;
    private int _count;

    /// <summary>Counts one request if the window has room.</summary>
    public RateLimitReading Take(int limit, int windowSeconds, DateTimeOffset now)
    {
        lock (_gate)
        {
            var reset = Advance(windowSeconds, now);
            var exhausted = _count >= limit;
            if (!exhausted) _count++;
            return new RateLimitReading(limit, exhausted, Math.Max(0, limit - _count), reset);
        }
    }

    /// <summary>Where the window stands, without counting a request.</summary>
    public RateLimitReading Peek(int limit, int windowSeconds, DateTimeOffset now)
    {
        lock (_gate)
        {
            var reset = Advance(windowSeconds, now);
            return new RateLimitReading(limit, _count >= limit, Math.Max(0, limit - _count), reset);
        }
    }

    /// <summary>Starts a new window when the clock (or the window's length) has moved on; returns its reset time.</summary>
    private long Advance(int windowSeconds, DateTimeOffset now)
    {
        var start = now.ToUnixTimeSeconds() / windowSeconds * windowSeconds;
        if (start != _start || windowSeconds != _windowSeconds)
        {
            _start = start;
            _windowSeconds = windowSeconds;
            _count = 0;
        }
        return start + windowSeconds;
    }
}

/// <summary>The window after a request: the limit, whether it was already spent, what is left, and the Unix time it resets.</summary>
internal readonly record struct RateLimitReading(int Limit, bool Exhausted, int Remaining, long ResetUnixSeconds);
