using System.Globalization;
using System.Net.Http.Headers;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Paces every request of one connection by Intercom's X-RateLimit-Limit/Remaining/Reset headers
/// (10-second windows), so that a bulk run spends the window's budget and then waits for the
/// reset instead of collecting 429s. Shared by all in-flight requests of the connection.
/// </summary>
/// <remarks>
/// The budget of a known window is a lower bound on what the server still allows, less an allowance
/// for other clients of the same app (<see cref="WindowBudget"/>); which of our requests may have been
/// counted where is kept by <see cref="RequestsInDoubt"/>. Between a window's refill and its first
/// answer, the full limit less what is in flight may go.
/// </remarks>
internal sealed class RateLimitPacer
{
    // Reset is in whole seconds; a little slack keeps us from arriving a hair early.
    internal static readonly TimeSpan ResetSlack = TimeSpan.FromMilliseconds(100);
    // A Reset far in the future means clocks disagree; never wait longer than a window or two for one.
    internal static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(30);
    // Concurrent 429s each push the block a little later; only a wait that ends this much later than
    // the one already announced is announced again.
    private static readonly TimeSpan AnnounceAgainAfter = TimeSpan.FromSeconds(1);
    // Waiting for a new window's first answer (only when the limit is below the concurrency).
    private static readonly TimeSpan PendingWindowPoll = TimeSpan.FromMilliseconds(50);

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly Func<DateTimeOffset> _clock;
    private bool _windowKnown;
    private long _windowReset;          // UNIX seconds at which the known window refills; 0 while a new window is pending
    private DateTimeOffset _windowRefillsAt; // Reset + slack by our clock, but never more than LongestWait after we learnt it
    private int _limit;
    private WindowBudget? _budget;      // the known window's; null while a new window is pending
    private int _pendingAvailable;      // what a refilled window allows until its first answer
    private readonly RequestsInDoubt _doubt = new();
    private long _dispatched;
    private DateTimeOffset _blockedUntil = DateTimeOffset.MinValue;
    private TimeSpan _blockAsked;       // the Retry-After (or guess) that set _blockedUntil, as Intercom said it
    private long _lastReset;
    private long? _windowSeconds;       // learnt: the smallest step seen between two windows' Resets
    private long _announcedWindow;
    private DateTimeOffset _announcedBlockUntil = DateTimeOffset.MinValue;
    private readonly TimeSpan _maxWait;

    /// <param name="maxWait">The longest Retry-After waited out; a longer one fails requests instead (<see cref="AcquireAsync"/>).</param>
    public RateLimitPacer(TimeProvider? time = null, TimeSpan? maxWait = null)
    {
        _time = time ?? TimeProvider.System;
        _clock = _time.GetUtcNow;
        _maxWait = maxWait ?? TimeSpan.FromMinutes(5);
    }

    /// <summary>For tests that move the clock by hand and call <see cref="TryAcquire"/> themselves.</summary>
    internal RateLimitPacer(Func<DateTimeOffset> clock, TimeSpan? maxWait = null)
    {
        _time = TimeProvider.System;
        _clock = clock;
        _maxWait = maxWait ?? TimeSpan.FromMinutes(5);
    }

    /// <summary>
    /// The window's length: the smallest step seen between the Resets of two windows (consecutive
    /// windows step by one length, windows skipped by several); null until two windows were seen.
    /// </summary>
    public TimeSpan? WindowLength { get { lock (_gate) return _windowSeconds is { } s ? TimeSpan.FromSeconds(s) : null; } }

    /// <summary>Requests this connection has sent and not yet seen answered.</summary>
    public int InFlight { get { lock (_gate) return _doubt.InFlight; } }

    /// <summary>
    /// Waits until a request may be sent, then counts it as in flight. Give the ticket back to
    /// <see cref="Release"/>. Throws a RateLimited <see cref="IntercomApiException"/>, without waiting,
    /// when Intercom asked for a longer wait than the connection's bound.
    /// </summary>
    public async Task<PacerTicket> AcquireAsync(IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = _clock();
            var wait = TryAcquire(now, out var announcement, out var ticket);
            if (wait is null)
                return ticket;
            if (wait > _maxWait && RefusedWait(now) is { } refusal)
                throw refusal;
            if (announcement is not null)
                events?.Verbose(announcement);
            await _time.Delay(wait.Value, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Null when the request may go now (and it is counted); otherwise how long to wait.</summary>
    internal TimeSpan? TryAcquire(DateTimeOffset now, out string? announcement, out PacerTicket ticket)
    {
        announcement = null;
        ticket = default;
        lock (_gate)
        {
            if (now < _blockedUntil)
            {
                // Waited in full (its true length is announced), or refused by AcquireAsync when beyond the bound.
                var wait = _blockedUntil - now;
                if (wait <= _maxWait && _blockedUntil > _announcedBlockUntil + AnnounceAgainAfter)
                {
                    _announcedBlockUntil = _blockedUntil;
                    announcement = $"Intercom asked to retry later; waiting {Seconds(wait)} (until {_blockedUntil.ToLocalTime():HH:mm:ss}) before sending more requests.";
                }
                return wait;
            }

            if (_windowKnown && _windowReset != 0 && now >= _windowRefillsAt)
            {
                // The window refilled; its Reset is unknown until the first answer arrives.
                _windowReset = 0;
                _budget = null;
                _pendingAvailable = Math.Max(0, _limit - _doubt.InFlight);
            }

            var mayFollow = _budget is { } known ? _doubt.MayFollow(known.LowestSequence) : 0;
            if (!_windowKnown || (_budget?.Available(_dispatched, mayFollow, now) ?? _pendingAvailable) > 0)
            {
                if (_windowKnown && _budget is null) _pendingAvailable--;
                _doubt.Sent(++_dispatched);
                ticket = new PacerTicket(_dispatched, now);
                return null;
            }

            if (_windowReset == 0)
                return PendingWindowPoll;

            var resetAt = _windowRefillsAt;
            var until = Clamp(resetAt - now);
            announcement = AnnounceWindow(_windowReset,
                $"Rate limit: the {_limit}-request window is used up; waiting {Seconds(until)} until it resets at {resetAt.ToLocalTime():HH:mm:ss}.");
            // Answers still to come may give budget back (those in doubt were counted before the lowest).
            return mayFollow > 0 && until > PendingWindowPoll ? PendingWindowPoll : until;
        }
    }

    /// <summary>Called once for every request that <see cref="AcquireAsync"/> let through.</summary>
    public void Release(PacerTicket ticket, HttpResponseHeaders? headers, int? statusCode)
    {
        lock (_gate)
        {
            if (headers is null)
            {
                EndedUnknown(ticket);
                return;
            }
            var limit = ReadLong(headers, "X-RateLimit-Limit");
            var remaining = ReadLong(headers, "X-RateLimit-Remaining");
            var reset = ReadLong(headers, "X-RateLimit-Reset");
            if (statusCode == 429)
            {
                var retryAfter = RetryAfter(headers, _clock());
                if (retryAfter is not null)
                    Block(retryAfter.Value);
                remaining = 0;
                if (reset is null && retryAfter is null)
                    Block(TimeSpan.FromSeconds(1));
            }
            if (limit is null || remaining is null || reset is null)
            {
                EndedUnknown(ticket);
                return;
            }

            _doubt.Settled(ticket.Sequence);
            var reading = new RateLimitReading(ticket.Sequence, ticket.SentAt, _clock(), (int)Math.Max(0, Math.Min(int.MaxValue, remaining.Value)));
            if (!_windowKnown || _windowReset == 0 || reset.Value > _windowReset)
            {
                if (_windowKnown && _windowReset == 0 && reset.Value <= _lastReset)
                {
                    // A late answer from the window that already passed (or the server's clock is behind
                    // ours and it still counts that window): this request was counted there, so the new
                    // window's budget it was given comes back. Without this, answers that all come from
                    // the old window would leave the new one pending, with no budget, for ever.
                    _pendingAvailable = Math.Min(_pendingAvailable + 1, Math.Max(0, _limit - _doubt.InFlight));
                    if (statusCode == 429)
                        Block(TimeSpan.FromSeconds(1)); // its window has not refilled yet
                    return;
                }
                if (_lastReset > 0 && reset.Value > _lastReset && reset.Value - _lastReset < (_windowSeconds ?? long.MaxValue))
                    _windowSeconds = reset.Value - _lastReset;
                _windowKnown = true;
                _windowReset = reset.Value;
                // Waiting longer than LongestWait in total means clocks disagree; after that, try the server again.
                _windowRefillsAt = Min(ResetTime(reset.Value), _clock() + LongestWait);
                _lastReset = reset.Value;
                _limit = (int)Math.Min(int.MaxValue, limit.Value);
                _budget = new WindowBudget(reading, _windowSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : AdaptiveConcurrencyLimit.DefaultWindowLength);
            }
            else if (reset.Value == _windowReset)
            {
                _budget?.Add(reading);
            }
            // An answer from an older window settles its request (counted there) and says nothing of this one.
        }
    }

    /// <summary>A request ended without rate-limit headers: the server may have counted it, in this window or not (under the lock).</summary>
    private void EndedUnknown(PacerTicket ticket)
    {
        _doubt.EndedUnknown(ticket.Sequence, _dispatched, _budget?.LowestSequence);
        _budget?.AddEndedUnknown();
    }

    private string? AnnounceWindow(long reset, string message)
    {
        if (reset == _announcedWindow) return null;
        _announcedWindow = reset;
        return message;
    }

    /// <summary>The error for a request that would have to wait longer than the bound for Intercom's Retry-After, or null.</summary>
    private IntercomApiException? RefusedWait(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_blockedUntil - now <= _maxWait) return null;
            return new IntercomApiException(IntercomErrorKind.RateLimited,
                $"Intercom asked to wait {Seconds(_blockAsked)} before more requests (Retry-After), longer than the {Seconds(_maxWait)} this connection waits for the rate limit; "
                + $"the request was not sent (Intercom takes requests again at {_blockedUntil.ToLocalTime():HH:mm:ss})", 429);
        }
    }

    /// <summary>Holds every request for <paramref name="wait"/> from now (under the lock).</summary>
    private void Block(TimeSpan wait)
    {
        var until = _clock() + wait;
        if (until <= _blockedUntil) return;
        _blockedUntil = until;
        _blockAsked = wait;
    }

    private static DateTimeOffset ResetTime(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds) + ResetSlack;

    private static TimeSpan Clamp(TimeSpan wait) =>
        wait < TimeSpan.Zero ? TimeSpan.Zero : wait > LongestWait ? LongestWait : wait;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

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

    internal static TimeSpan? RetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
    {
        var retryAfter = headers.RetryAfter;
        if (retryAfter is null) return null;
        if (retryAfter.Delta is { } delta) return delta;
        if (retryAfter.Date is { } date) return date - now;
        return null;
    }
}

/// <summary>Which request a rate-limit answer belongs to: its place in the sending order, and when it went.</summary>
internal readonly struct PacerTicket
{
    internal PacerTicket(long sequence, DateTimeOffset sentAt)
    {
        Sequence = sequence;
        SentAt = sentAt;
    }

    internal long Sequence { get; }

    internal DateTimeOffset SentAt { get; }
}
