namespace FakeIntercom.Pipeline;

/// <summary>
/// Intercom's fixed rate-limit window: <c>limit</c> requests per <c>windowSeconds</c>, the windows
/// aligned to the Unix epoch, reset at the end of the current one. The only place the window is
/// computed: counting requests and reporting the headers without counting both go through it.
/// Another client sharing the app's limit (<see cref="RateLimitSetting.OtherClientPerWindow"/>) sends
/// its requests evenly through the window; each is counted if the window still has room when it is
/// due (requests are taken in order of arrival, its and ours), and refused otherwise. What it sent and
/// what was refused is kept per window (<see cref="OtherClient"/>).
/// </summary>
/// <remarks>
/// The other client is simulated when the window is looked at (a request of ours, or a read of its
/// counts): its requests due since the last look are taken then, before ours, as they arrived first.
/// When a window ends, the rest of its requests are taken as they would have come, so each window the
/// fake counted a request in is whole in the counts. A window in which nothing of ours arrived had room
/// for all of the other client's requests, and is not counted.
/// </remarks>
internal sealed class RateLimitWindow
{
    // The per-window counts kept for reading: about 2.8 hours of 10-second windows.
    internal const int WindowsKept = 1000;

    private readonly object _gate = new();
    private readonly Queue<OtherClientWindow> _otherClientWindows = new();
    private long _start = long.MinValue;
    private int _windowSeconds;
    private int _count;                 // ours and the other client's, counted
    private int _otherClientDue;        // the other client's requests that have arrived in this window
    private int _otherClientPerWindow;  // as set when the window was last looked at
    private int _limit;
    private int _otherClientSent;       // in this window since it began or the counts were reset
    private int _otherClientRefused;
    private int _otherClientSentBefore; // in windows that have ended, since the counts were reset
    private int _otherClientRefusedBefore;

    /// <summary>Counts one request if the window has room.</summary>
    public RateLimitReading Take(RateLimitSetting setting, DateTimeOffset now)
    {
        lock (_gate)
        {
            var reset = Advance(setting, now);
            CountOtherClient(setting.OtherClientPerWindow, reset, now);
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
            var reset = Advance(setting, now);
            CountOtherClient(setting.OtherClientPerWindow, reset, now);
            return new RateLimitReading(setting.Limit, _count >= setting.Limit, Math.Max(0, setting.Limit - _count), reset);
        }
    }

    /// <summary>
    /// What the other client sent and had refused, in all and per window (the latest <see cref="WindowsKept"/>),
    /// up to <paramref name="now"/>; <paramref name="setting"/> is the limit in force, if any, to bring the
    /// current window up to now.
    /// </summary>
    public OtherClientCounts OtherClient(RateLimitSetting? setting, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (setting is { } inForce && _start != long.MinValue)
                CountOtherClient(inForce.OtherClientPerWindow, Advance(inForce, now), now);
            var windows = _otherClientWindows.ToList();
            if (_start != long.MinValue && _otherClientSent > 0)
                windows.Add(new OtherClientWindow(_start, _otherClientSent, _otherClientRefused));
            return new OtherClientCounts(_otherClientSentBefore + _otherClientSent, _otherClientRefusedBefore + _otherClientRefused, windows);
        }
    }

    /// <summary>Forgets what the other client sent and had refused; the window itself goes on counting.</summary>
    public void ResetOtherClientCounts()
    {
        lock (_gate)
        {
            _otherClientWindows.Clear();
            _otherClientSent = _otherClientRefused = 0;
            _otherClientSentBefore = _otherClientRefusedBefore = 0;
        }
    }

    /// <summary>The other client's requests due by <paramref name="now"/> arrive: each counted while there is room.</summary>
    private void CountOtherClient(int perWindow, long reset, DateTimeOffset now)
    {
        _otherClientPerWindow = perWindow;
        if (perWindow == 0) return;
        var windowMs = _windowSeconds * 1000.0;
        var intoWindowMs = windowMs - (reset * 1000.0 - now.ToUnixTimeMilliseconds());
        var due = (int)Math.Floor(perWindow * Math.Clamp(intoWindowMs / windowMs, 0, 1));
        for (; _otherClientDue < due; _otherClientDue++)
        {
            _otherClientSent++;
            if (_count < _limit) _count++;
            else _otherClientRefused++;
        }
    }

    /// <summary>Starts a new window when the clock (or the window's length) has moved on; returns its reset time.</summary>
    private long Advance(RateLimitSetting setting, DateTimeOffset now)
    {
        var start = now.ToUnixTimeSeconds() / setting.WindowSeconds * setting.WindowSeconds;
        if (start != _start || setting.WindowSeconds != _windowSeconds)
        {
            EndWindow();
            _start = start;
            _windowSeconds = setting.WindowSeconds;
            _count = 0;
            _otherClientDue = 0;
        }
        _limit = setting.Limit;
        return start + setting.WindowSeconds;
    }

    /// <summary>The window that was current has ended: the rest of the other client's requests in it come, and its counts are kept.</summary>
    private void EndWindow()
    {
        if (_start == long.MinValue) return;
        CountOtherClient(_otherClientPerWindow, _start + _windowSeconds, DateTimeOffset.FromUnixTimeSeconds(_start + _windowSeconds));
        if (_otherClientSent > 0)
        {
            _otherClientWindows.Enqueue(new OtherClientWindow(_start, _otherClientSent, _otherClientRefused));
            while (_otherClientWindows.Count > WindowsKept) _otherClientWindows.Dequeue();
        }
        _otherClientSentBefore += _otherClientSent;
        _otherClientRefusedBefore += _otherClientRefused;
        _otherClientSent = _otherClientRefused = 0;
    }
}

/// <summary>The window after a request: the limit, whether it was already spent, what is left, and the Unix time it resets.</summary>
internal readonly record struct RateLimitReading(int Limit, bool Exhausted, int Remaining, long ResetUnixSeconds);
