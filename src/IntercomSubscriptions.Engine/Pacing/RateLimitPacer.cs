using System.Globalization;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Paces every request of one connection by Intercom's X-RateLimit-Limit/Remaining/Reset headers
/// (10-second windows), so that a bulk run spends the window's budget and then waits for the
/// reset instead of collecting 429s. Shared by all in-flight requests of the connection.
/// </summary>
/// <remarks>
/// <para>The budget of a known window is a lower bound on what the server still allows, less what other
/// clients of the same app are likely to spend of it before it ends (<see cref="WindowBudget"/>); which
/// of our requests may have been counted where is kept by <see cref="RequestsInDoubt"/>. Between a
/// window's refill and its first answer, the full limit less what is in flight may go.</para>
/// <para>By default the connection takes what the window leaves after the other clients it sees, spread
/// through the window while it sees any. With a share (<see cref="IntercomClientOptions.RateLimitShare"/>)
/// it also never has more than that share of a window's limit counted in one window, whatever it sees:
/// requests in flight count against the window they are sent in and the next, and until the first answer
/// tells the limit one request goes at a time.</para>
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
    private readonly ShareCap? _share;
    private readonly RequestsInDoubt _doubt = new();
    private WindowState _state = WindowState.Unknown;
    private long _windowReset;          // UNIX seconds at which the latest known window refills
    private DateTimeOffset _windowRefillsAt; // Reset + slack by our clock, but never more than LongestWait after we learnt it; when Refilled, the pending window's expected refill
    private DateTimeOffset _pendingWindowStart; // when Refilled: when the pending window began, by our clock
    private int _limit;
    private WindowBudget? _budget;      // the known window's (state Known)
    private int _refilledAvailable;     // what a refilled window allows until its first answer (state Refilled)
    private long _dispatched;
    private bool _answered;             // an answer (with or without rate-limit headers) has come
    private DateTimeOffset _lastSentAt = DateTimeOffset.MinValue;
    private double _othersPerSecond;    // other clients' rate in the last window that showed it, for the next one's start
    private DateTimeOffset _blockedUntil = DateTimeOffset.MinValue;
    private TimeSpan _blockAsked;       // the Retry-After (or guess) that set _blockedUntil, as Intercom said it
    private long? _windowSeconds;       // learnt: the smallest step seen between two windows' Resets
    private long _announcedWindow;
    private long _announcedSpreadWindow;
    private DateTimeOffset _announcedBlockUntil = DateTimeOffset.MinValue;

    /// <param name="maxWait">The longest Retry-After waited out; a longer one fails requests instead (<see cref="AcquireAsync"/>).</param>
    /// <param name="share">The most of each window's limit this connection takes (0 &lt; share ≤ 1); null for no cap of its own.</param>
    public RateLimitPacer(TimeProvider time, TimeSpan maxWait, double? share = null)
    {
        _time = time;
        _maxWait = maxWait;
        _share = share is { } s ? new ShareCap(s) : null;
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

            if (_state != WindowState.Unknown && now >= _windowRefillsAt)
            {
                // The window refilled; its Reset is unknown until the first answer arrives. When Refilled
                // already, the pending window passed without one (all we sent in it was lost, say).
                if (_budget is { } passed)
                    _othersPerSecond = passed.OthersPerSecond(_doubt.OldestInFlight);
                _state = WindowState.Refilled;
                _budget = null;
                _pendingWindowStart = _windowRefillsAt - ResetSlack;
                _windowRefillsAt += WindowLengthOrDefault;
                _refilledAvailable = RefilledAllows();
            }

            switch (_state)
            {
                case WindowState.Unknown when _share is null || _answered || _share.MayGoBeforeTheLimitIsKnown(_doubt.InFlight, now):
                case WindowState.Refilled when _refilledAvailable > 0:
                    return Send(now, out ticket);
                case WindowState.Unknown:
                    // With a share, the first answer tells the limit before more than one request is out
                    // (a server that sends no rate-limit headers cannot be held to a share at all).
                    return PendingWindowPoll;
                case WindowState.Refilled:
                    return PendingWindowPoll;
            }

            var budget = _budget!;
            var oldest = _doubt.OldestInFlight;
            var mayFollow = _doubt.MayFollow(budget.LowestSequence);
            var available = budget.Available(_dispatched, mayFollow, oldest);
            // Under a share: ours that may count in this window are those answered in it, in flight, or ended unknown since it began.
            var withinShare = _share is null || budget.OursCounted + _doubt.InFlight + _share.EndedUnknownSince(WindowStart(_windowReset)) < Cap;
            var others = budget.OthersPerSecond(oldest);
            if (available > 0 && withinShare)
            {
                if (budget.SpreadWait(available, _lastSentAt, now, oldest) is not { } spread)
                    return Send(now, out ticket);
                announcement = AnnounceSpread(others);
                return spread;
            }

            // Held back only by the room kept for other clients: now and then a request reads their rate again.
            var probe = withinShare && others > 0 ? budget.MayProbe(_dispatched, mayFollow, _doubt.InFlight, _lastSentAt, now) : null;
            if (probe == TimeSpan.Zero)
                return Send(now, out ticket);

            var resetAt = _windowRefillsAt;
            var until = Clamp(resetAt - now);
            var othersPerWindow = (int)Math.Round(others * WindowLengthOrDefault.TotalSeconds);
            var what = !withinShare ? $"this connection's share of the {_limit}-request window ({Cap}) is used"
                : othersPerWindow > 0 ? $"what the {_limit}-request window leaves after the app's other clients (about {othersPerWindow} a window) is used"
                : $"the {_limit}-request window is used up";
            announcement = AnnounceWindow(_windowReset, $"Rate limit: {what}; waiting {Seconds(until)} until it resets at {resetAt.ToLocalTime():HH:mm:ss}.");
            // Answers still to come may give budget back: those in doubt were counted before the lowest, or
            // in the window before (the share); and a settled answer may show other clients slower than they looked.
            var answersMayGiveBack = mayFollow > 0 || (_doubt.InFlight > 0 && (!withinShare || others > 0));
            var next = answersMayGiveBack && until > PendingWindowPoll ? PendingWindowPoll : until;
            return probe is { } probeIn && probeIn < next ? probeIn : next;
        }
    }

    /// <summary>The most of a window this connection takes: its share of the limit, or all of it (under the lock).</summary>
    private int Cap => _share?.Of(_limit) ?? int.MaxValue;

    /// <summary>
    /// What a refilled window allows until its first answer: the limit, or the share, less what is in flight
    /// and, under a share, what ended unknown since the window began (under the lock).
    /// </summary>
    private int RefilledAllows()
    {
        var byLimit = _limit - _doubt.InFlight;
        if (_share is null) return Math.Max(0, byLimit);
        var byShare = Cap - _doubt.InFlight - _share.EndedUnknownSince(_pendingWindowStart);
        return Math.Max(0, Math.Min(byLimit, byShare));
    }

    /// <summary>When the server's window that resets at <paramref name="reset"/> began, by our clock (under the lock).</summary>
    private DateTimeOffset WindowStart(long reset) => DateTimeOffset.FromUnixTimeSeconds(reset) - WindowLengthOrDefault;

    private TimeSpan WindowLengthOrDefault => _windowSeconds is { } s ? TimeSpan.FromSeconds(s) : AdaptiveConcurrencyLimit.DefaultWindowLength;

    /// <summary>Lets one request go (under the lock).</summary>
    private TimeSpan? Send(DateTimeOffset now, out PacerTicket ticket)
    {
        if (_state == WindowState.Refilled) _refilledAvailable--;
        _doubt.Sent(++_dispatched);
        _lastSentAt = now;
        ticket = new PacerTicket(_dispatched, now);
        return null;
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
            _answered = true;
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
                    _refilledAvailable = Math.Min(_refilledAvailable + 1, RefilledAllows());
                    if (statusCode == 429)
                        Block(TimeSpan.FromSeconds(1)); // its window has not refilled yet
                    return;
                }
                if (_state != WindowState.Unknown && reset > _windowReset && reset - _windowReset < (_windowSeconds ?? long.MaxValue))
                    _windowSeconds = reset - _windowReset;
                if (_budget is { } previous)
                    _othersPerSecond = previous.OthersPerSecond(_doubt.OldestInFlight);
                _state = WindowState.Known;
                _windowReset = reset;
                // Waiting longer than LongestWait in total means clocks disagree; after that, try the server again.
                _windowRefillsAt = Min(ResetTime(reset), _time.GetUtcNow() + LongestWait);
                _limit = (int)Math.Min(int.MaxValue, limit);
                _budget = new WindowBudget(reading, _dispatched, counted: statusCode != 429, _limit, WindowLengthOrDefault,
                    DateTimeOffset.FromUnixTimeSeconds(reset), _othersPerSecond);
            }
            else if (reset == _windowReset)
            {
                _budget?.Add(reading, _dispatched, counted: statusCode != 429);
            }
            // An answer from an older window settles its request (counted there) and says nothing of this one.
        }
    }

    /// <summary>A request ended without rate-limit headers: the server may have counted it, in this window or not (under the lock).</summary>
    private void EndedUnknown(PacerTicket ticket)
    {
        _doubt.EndedUnknown(ticket.Sequence, _dispatched, _budget?.LowestSequence);
        _budget?.AddEndedUnknown();
        _share?.EndedUnknown(_time.GetUtcNow(), WindowLengthOrDefault);
    }

    private string? AnnounceWindow(long reset, string message)
    {
        if (reset == _announcedWindow) return null;
        _announcedWindow = reset;
        return message;
    }

    /// <summary>Said once a window, when this connection starts leaving room for the app's other clients (under the lock).</summary>
    private string? AnnounceSpread(double othersPerSecond)
    {
        if (_windowReset == _announcedSpreadWindow || _windowReset == _announcedWindow) return null;
        _announcedSpreadWindow = _windowReset;
        return $"Rate limit: other clients of this Intercom app are using about {Math.Round(othersPerSecond * WindowLengthOrDefault.TotalSeconds):0} of the {_limit}-request window; "
            + "spreading this connection's requests through the window to leave them that room.";
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
