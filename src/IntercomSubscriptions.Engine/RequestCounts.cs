namespace IntercomSubscriptions.Engine;

/// <summary>
/// What one caller's run cost on the wire: requests sent, retries, 429 answers, and the pacer's waits
/// for the rate limit, counted and timed. The caller keeps one per run and feeds it every
/// <see cref="WireEvent"/> its sink receives (<see cref="Add"/>); the engine reports each event where it
/// happens: the retry handler its retries, the counting handler what reached the network and what came
/// back 429, the pacer its waits. Thread-safe: a run has many calls in flight.
/// </summary>
/// <remarks>
/// Pacing waits are the run's, not each request's: while any of the run's requests is held, the run is
/// waiting. Sixty requests held together for one spent window are one wait of that window's remainder,
/// so <see cref="PacingWaitTime"/> is comparable with the run's elapsed time and with the pacer's
/// "waiting 4.8 s" Verbose lines.
/// </remarks>
internal sealed class RequestCounts
{
    private readonly object _gate = new();
    private long _requests;
    private long _retries;
    private long _rateLimited;
    private long _pacingWaits;
    private TimeSpan _pacingWaitTime;
    private int _held;
    private DateTimeOffset _heldSince;

    /// <summary>HTTP requests sent (each retry is one more).</summary>
    public long Requests { get { lock (_gate) return _requests; } }

    /// <summary>Requests sent again after their attempt failed.</summary>
    public long Retries { get { lock (_gate) return _retries; } }

    /// <summary>429 answers from Intercom.</summary>
    public long RateLimitedAnswers { get { lock (_gate) return _rateLimited; } }

    /// <summary>Times the run was held back by the pacer (from none of its requests held to some).</summary>
    public long PacingWaits { get { lock (_gate) return _pacingWaits; } }

    /// <summary>How long the run was held back by the pacer in all; a wait still going on counts once it ends.</summary>
    public TimeSpan PacingWaitTime { get { lock (_gate) return _pacingWaitTime; } }

    public void Add(WireEvent what, DateTimeOffset at)
    {
        lock (_gate)
        {
            switch (what)
            {
                case WireEvent.RequestSent:
                    _requests++;
                    break;
                case WireEvent.Retry:
                    _retries++;
                    break;
                case WireEvent.RateLimitedAnswer:
                    _rateLimited++;
                    break;
                case WireEvent.PacingWaitBegan:
                    if (_held++ == 0)
                    {
                        _pacingWaits++;
                        _heldSince = at;
                    }
                    break;
                case WireEvent.PacingWaitEnded:
                    if (_held > 0 && --_held == 0 && at > _heldSince)
                        _pacingWaitTime += at - _heldSince;
                    break;
            }
        }
    }
}
