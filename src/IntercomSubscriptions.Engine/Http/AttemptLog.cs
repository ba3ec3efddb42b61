namespace IntercomSubscriptions.Engine;

/// <summary>
/// What happened to one call's attempts so far: the retry decisions read it (429s and other
/// failures have separate budgets) and the final error reports it (how many attempts, how long).
/// Touched by one attempt at a time.
/// </summary>
internal sealed class AttemptLog
{
    public AttemptLog(DateTimeOffset started) => Started = started;

    public DateTimeOffset Started { get; }
    /// <summary>Requests that went on the wire.</summary>
    public int Sent { get; set; }
    /// <summary>5xx, 408, timeouts and network failures: these count against MaxRetries.</summary>
    public int TransientFailures { get; set; }
    /// <summary>When the first 429 came: 429s are retried for MaxRateLimitWait from then, however many.</summary>
    public DateTimeOffset? FirstRateLimitedAt { get; set; }
    /// <summary>429s in a row that said "Retry-After: 0": retrying those at once would be a storm.</summary>
    public int ImmediateRateLimitedInARow { get; set; }
    /// <summary>Attempts that got no answer in time: Intercom may still have carried them out.</summary>
    public int TimedOut { get; set; }

    public string SentText => Sent == 1 ? "1 attempt" : $"{Sent} attempts";
}
