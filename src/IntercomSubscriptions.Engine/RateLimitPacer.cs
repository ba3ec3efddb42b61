using System.Globalization;
using System.Net.Http.Headers;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Paces every request of one connection by Intercom's X-RateLimit-Limit/Remaining/Reset headers
/// (10-second windows), so that a bulk run spends the window's budget and then waits for the
/// reset instead of collecting 429s. Shared by all in-flight requests of the connection.
/// </summary>
/// <remarks>
/// The budget it keeps is a lower bound on what the server still allows: the lowest Remaining any
/// answer of the window reported, minus every request still in flight (some of which the server
/// may already have counted). The lowest, not the latest: answers overtake each other, and an
/// answer whose Remaining was taken before other requests were counted is stale. Every request the
/// server counted after the lowest Remaining was taken is still in flight (had one been answered,
/// its Remaining would be lower still), so subtracting the in-flight ones is enough.
/// </remarks>
public sealed class RateLimitPacer
{
    // Reset is in whole seconds; a little slack keeps us from arriving a hair early.
    internal static readonly TimeSpan ResetSlack = TimeSpan.FromMilliseconds(100);
    // A Reset far in the future means clocks disagree; never wait longer than a window or two.
    internal static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(30);
    // Waiting for a new window's first answer (only when the limit is below the concurrency).
    private static readonly TimeSpan PendingWindowPoll = TimeSpan.FromMilliseconds(50);

    private readonly object _gate = new();
    private readonly Func<DateTimeOffset> _clock;
    private bool _windowKnown;
    private long _windowReset;          // UNIX seconds at which the known window refills; 0 while a new window is pending
    private int _limit;
    private int _lowestRemaining;       // the lowest Remaining reported for the known window
    private int _available;
    private int _inFlight;
    private DateTimeOffset _blockedUntil = DateTimeOffset.MinValue;
    private long _lastReset;
    private long _announcedWaitKey;

    public RateLimitPacer(Func<DateTimeOffset>? clock = null) => _clock = clock ?? (() => DateTimeOffset.UtcNow);

    /// <summary>Requests this connection has sent and not yet seen answered.</summary>
    public int InFlight { get { lock (_gate) return _inFlight; } }

    /// <summary>Waits until a request may be sent, then counts it as in flight.</summary>
    public async Task AcquireAsync(IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var wait = TryAcquire(_clock(), out var announcement);
            if (wait is null)
                return;
            if (announcement is not null)
                events?.Verbose(announcement);
            await Task.Delay(wait.Value, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Null when the request may go now (and it is counted); otherwise how long to wait.</summary>
    internal TimeSpan? TryAcquire(DateTimeOffset now, out string? announcement)
    {
        announcement = null;
        lock (_gate)
        {
            if (now < _blockedUntil)
            {
                var wait = Clamp(_blockedUntil - now);
                announcement = Announce(_blockedUntil.ToUnixTimeMilliseconds(),
                    $"Intercom asked to retry later; waiting {Seconds(wait)} before sending more requests.");
                return wait;
            }

            if (_windowKnown && _windowReset != 0 && now >= ResetTime(_windowReset))
            {
                // The window refilled; its Reset is unknown until the first answer arrives.
                _windowReset = 0;
                _available = Math.Max(0, _limit - _inFlight);
            }

            if (!_windowKnown || _available > 0)
            {
                if (_windowKnown) _available--;
                _inFlight++;
                return null;
            }

            if (_windowReset == 0)
                return PendingWindowPoll;

            var resetAt = ResetTime(_windowReset);
            var until = Clamp(resetAt - now);
            announcement = Announce(_windowReset,
                $"Rate limit: the {_limit}-request window is used up; waiting {Seconds(until)} until it resets at {resetAt.ToLocalTime():HH:mm:ss}.");
            return until;
        }
    }

    /// <summary>Called once for every request that <see cref="AcquireAsync"/> let through.</summary>
    public void Release(HttpResponseHeaders? headers, int? statusCode)
    {
        lock (_gate)
        {
            _inFlight = Math.Max(0, _inFlight - 1);
            if (headers is null)
                return;
            var limit = ReadLong(headers, "X-RateLimit-Limit");
            var remaining = ReadLong(headers, "X-RateLimit-Remaining");
            var reset = ReadLong(headers, "X-RateLimit-Reset");
            if (statusCode == 429)
            {
                var retryAfter = RetryAfter(headers);
                if (retryAfter is not null)
                    _blockedUntil = Max(_blockedUntil, _clock() + retryAfter.Value);
                remaining = 0;
                if (reset is null && retryAfter is null)
                    _blockedUntil = Max(_blockedUntil, _clock() + TimeSpan.FromSeconds(1));
            }
            if (limit is null || remaining is null || reset is null)
                return;

            var reported = (int)Math.Min(int.MaxValue, Math.Max(0, remaining.Value));
            if (!_windowKnown || _windowReset == 0 || reset.Value > _windowReset)
            {
                if (_windowKnown && _windowReset == 0 && reset.Value <= _lastReset)
                    return; // a late answer from the window that already passed
                _windowKnown = true;
                _windowReset = reset.Value;
                _lastReset = reset.Value;
                _limit = (int)Math.Min(int.MaxValue, limit.Value);
                _lowestRemaining = reported;
            }
            else if (reset.Value == _windowReset)
            {
                _lowestRemaining = Math.Min(_lowestRemaining, reported);
            }
            else
            {
                return; // an answer from an earlier window
            }
            _available = Math.Max(0, _lowestRemaining - _inFlight);
        }
    }


    private string? Announce(long key, string message)
    {
        if (key == _announcedWaitKey) return null;
        _announcedWaitKey = key;
        return message;
    }

    private static DateTimeOffset ResetTime(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds) + ResetSlack;

    private static TimeSpan Clamp(TimeSpan wait) =>
        wait < TimeSpan.Zero ? TimeSpan.Zero : wait > LongestWait ? LongestWait : wait;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static string Seconds(TimeSpan wait) => wait.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    internal static long? ReadLong(HttpResponseHeaders headers, string name)
    {
        if (!headers.TryGetValues(name, out var values)) return null;
        foreach (var value in values)
        {
            if (long.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
                return number;
        }
        return null;
    }

    internal static TimeSpan? RetryAfter(HttpResponseHeaders headers)
    {
        var retryAfter = headers.RetryAfter;
        if (retryAfter is null) return null;
        if (retryAfter.Delta is { } delta) return delta;
        if (retryAfter.Date is { } date) return date - DateTimeOffset.UtcNow;
        return null;
    }
}
