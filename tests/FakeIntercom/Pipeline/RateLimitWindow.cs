namespace FakeIntercom.Pipeline;

/// <summary>
/// Intercom's fixed rate-limit window: <c>limit</c> requests per <c>windowSeconds</c>, the windows
/// aligned to the Unix epoch, reset at the end of the current one. The only place the window is
/// computed: counting requests and reporting the headers without counting both go through it.
/// Another client sharing the app's limit (<see cref="RateLimitSetting.OtherClientPerWindow"/>) sends
/// its requests evenly through the window; each is counted if the window still has room when it is
/// due (requests are taken in order of arrival, its and ours), and refused otherwise.
/// </summary>
internal sealed class RateLimitWindow
{
    private readonly object _gate = new();
    private long _start = long.MinValue;
    private int _windowSeconds;
    private int _count;                 // ours and the other client's, counted
    private int _otherClientDue;        // the other client's requests that have arrived in this window

    /// <summary>Counts one request if the window has room.</summary>
    public RateLimitReading Take(RateLimitSetting setting, DateTimeOffset now)
    {
        lock (_gate)
        {
            var reset = Advance(setting.WindowSeconds, now);
            CountOtherClient(setting, reset, now);
            var exhausted = _count >= setting.Limit;
            if (!exhausted) _count++;
            return new RateLimitReading(setting.Limit, exhausted, Math.Max(0, setting.Limit - _count), reset);
        }
    }

    /// <summary>Where the window stands, without counting a request.</summary>
    public RateLimitReading Peek(RateLimitSetting setting, DateTimeOffset now)
    {
        lock (_gate)
        {
            var reset = Advance(setting.WindowSeconds, now);
            CountOtherClient(setting, reset, now);
            return new RateLimitReading(setting.Limit, _count >= setting.Limit, Math.Max(0, setting.Limit - _count), reset);
        }
    }

    /// <summary>The other client's requests due by <paramref name="now"/> arrive: each counted while there is room.</summary>
    private void CountOtherClient(RateLimitSetting setting, long reset, DateTimeOffset now)
    {
        if (setting.OtherClientPerWindow == 0) return;
        var windowMs = setting.WindowSeconds * 1000.0;
        var intoWindowMs = windowMs - (reset * 1000.0 - now.ToUnixTimeMilliseconds());
        var due = (int)Math.Floor(setting.OtherClientPerWindow * Math.Clamp(intoWindowMs / windowMs, 0, 1));
        for (; _otherClientDue < due; _otherClientDue++)
        {
            if (_count < setting.Limit) _count++;
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
            _otherClientDue = 0;
        }
        return start + windowSeconds;
    }
}

/// <summary>The window after a request: the limit, whether it was already spent, what is left, and the Unix time it resets.</summary>
internal readonly record struct RateLimitReading(int Limit, bool Exhausted, int Remaining, long ResetUnixSeconds);
