using System.Globalization;

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

    /// <summary>What the pacer knows of the server's current window.</summary>
    private enum WindowState
    {
        /// <summary>No answer has described a window yet: requests go (the concurrency limit bounds them).</summary>
        Unknown,
        /// <summary>A window's Reset, limit and budget are known from its answers.</summary>
        Known,
        /// <summary>The known window has passed; the new one's Reset is unknown until its first answer, and at most the limit less what is in flight may go.</summary>
        Refilled,
    }

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxWait;
    private readonly RequestsInDoubt _doubt = new();
    private WindowState _state = WindowState.Unknown;
    private long _windowReset;          // UNIX seconds at which the latest known window refills
    private DateTimeOffset _windowRefillsAt; // Reset + slack by our clock, but never more than LongestWait after we learnt it
    private int _limit;
    private WindowBudget? _budget;      // the known window's (state Known)
    private int _refilledAvailable;     // what a refilled window allows until its first answer (state Refilled)
    private long _dispatched;
    private DateTimeOffset _blockedUntil = DateTimeOffset.MinValue;
    private TimeSpan _blockAsked;       // the Retry-After (or guess) that set _blockedUntil, as Intercom said it
    private long? _windowSeconds;       // learnt: the smallest step seen between two windows' Resets
    private long _announcedWindow;
    private DateTimeOffset _announcedBlockUntil = DateTimeOffset.MinValue;

    /// <param name="maxWait">The longest Retry-After waited out; a longer one fails requests instead (<see cref="AcquireAsync"/>).</param>
    public RateLimitPacer(TimeProvider time, TimeSpan maxWait)
    {
        _time = time;
        _maxWait = maxWait;
    }

    /// <summary>
    /// The window's length: the smallest step seen between the Resets of two windows (consecutive
    /// windows step by one length, windows skipped by several); null until two windows were seen.
    /// </summary>
    public TimeSpan? WindowLength { get { lock (_gate) return _windowSeconds is { } s ? TimeSpan.FromSeconds(s) : null; } }

    /// <summary>Requests this connection has sent and not yet seen answered.</summary>
    public int InFlight { get { lock (_gate) return _doubt.InFlight; } }

    /// <summary>
    /// Waits until a request may be sent, then counts it as in flight until the returned lease is
    /// disposed. Throws a RateLimited <see cref="IntercomApiException"/>, without waiting, when Intercom
    /// asked for a longer wait than the connection's bound. A wait is announced to
    /// <paramref name="events"/> (Verbose) and counted there, with its length.
    /// </summary>
    public async Task<PacerLease> AcquireAsync(IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        var held = false;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var now = _time.GetUtcNow();
                var wait = TryAcquire(now, out var announcement, out var ticket);
                if (wait is null)
                    return new PacerLease(this, ticket);
                if (wait > _maxWait && RefusedWait(now) is { } refusal)
                    throw refusal;
                if (announcement is not null)
                    events?.Verbose(announcement);
                if (!held)
                {
                    held = true;
                    events?.Count(WireEvent.PacingWaitBegan, now);
                }
                await _time.Delay(wait.Value, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (held)
                events?.Count(WireEvent.PacingWaitEnded, _time.GetUtcNow());
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

            if (_state == WindowState.Known && now >= _windowRefillsAt)
            {
                // The window refilled; its Reset is unknown until the first answer arrives.
                _state = WindowState.Refilled;
                _budget = null;
                _refilledAvailable = Math.Max(0, _limit - _doubt.InFlight);
            }

            var mayFollow = _budget is { } known ? _doubt.MayFollow(known.LowestSequence) : 0;
            var mayGo = _state switch
            {
                WindowState.Known => _budget!.Available(_dispatched, mayFollow, now) > 0,
                WindowState.Refilled => _refilledAvailable > 0,
                _ => true,
            };
            if (mayGo)
            {
                if (_state == WindowState.Refilled) _refilledAvailable--;
                _doubt.Sent(++_dispatched);
                ticket = new PacerTicket(_dispatched, now);
                return null;
            }

            if (_state == WindowState.Refilled)
                return PendingWindowPoll;

            var resetAt = _windowRefillsAt;
            var until = Clamp(resetAt - now);
            announcement = AnnounceWindow(_windowReset,
                $"Rate limit: the {_limit}-request window is used up; waiting {Seconds(until)} until it resets at {resetAt.ToLocalTime():HH:mm:ss}.");
            // Answers still to come may give budget back (those in doubt were counted before the lowest).
            return mayFollow > 0 && until > PendingWindowPoll ? PendingWindowPoll : until;
        }
    }

    /// <summary>
    /// Called once for every request <see cref="TryAcquire"/> let through (by its <see cref="PacerLease"/>),
    /// with its answer's rate-limit headers, or null headers when it got no answer.
    /// </summary>
    internal void Release(PacerTicket ticket, RateLimitHeaders? headers, int? statusCode)
    {
        lock (_gate)
        {
            if (headers is not { } answer)
            {
                EndedUnknown(ticket);
                return;
            }
            var remaining = answer.Remaining;
            if (statusCode == 429)
            {
                if (answer.RetryAfter is { } retryAfter)
                    Block(retryAfter);
                remaining = 0;
                if (answer.Reset is null && answer.RetryAfter is null)
                    Block(TimeSpan.FromSeconds(1));
            }
            if (answer.Limit is not { } limit || remaining is null || answer.Reset is not { } reset)
            {
                EndedUnknown(ticket);
                return;
            }

            _doubt.Settled(ticket.Sequence);
            var reading = new RateLimitReading(ticket.Sequence, ticket.SentAt, _time.GetUtcNow(), (int)Math.Max(0, Math.Min(int.MaxValue, remaining.Value)));
            if (_state != WindowState.Known || reset > _windowReset)
            {
                if (_state == WindowState.Refilled && reset <= _windowReset)
                {
                    // A late answer from the window that already passed (or the server's clock is behind
                    // ours and it still counts that window): this request was counted there, so the new
                    // window's budget it was given comes back. Without this, answers that all come from
                    // the old window would leave the new one pending, with no budget, for ever.
                    _refilledAvailable = Math.Min(_refilledAvailable + 1, Math.Max(0, _limit - _doubt.InFlight));
                    if (statusCode == 429)
                        Block(TimeSpan.FromSeconds(1)); // its window has not refilled yet
                    return;
                }
                if (_state != WindowState.Unknown && reset > _windowReset && reset - _windowReset < (_windowSeconds ?? long.MaxValue))
                    _windowSeconds = reset - _windowReset;
                _state = WindowState.Known;
                _windowReset = reset;
                // Waiting longer than LongestWait in total means clocks disagree; after that, try the server again.
                _windowRefillsAt = Min(ResetTime(reset), _time.GetUtcNow() + LongestWait);
                _limit = (int)Math.Min(int.MaxValue, limit);
                _budget = new WindowBudget(reading, _windowSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : AdaptiveConcurrencyLimit.DefaultWindowLength);
            }
            else if (reset == _windowReset)
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
        var until = _time.GetUtcNow() + wait;
        if (until <= _blockedUntil) return;
        _blockedUntil = until;
        _blockAsked = wait;
    }

    private static DateTimeOffset ResetTime(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds) + ResetSlack;

    private static TimeSpan Clamp(TimeSpan wait) =>
        wait < TimeSpan.Zero ? TimeSpan.Zero : wait > LongestWait ? LongestWait : wait;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static string Seconds(TimeSpan wait) => wait.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
