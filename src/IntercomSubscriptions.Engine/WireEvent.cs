namespace IntercomSubscriptions.Engine;

/// <summary>What the engine counts for its caller's run summary, as it happens (see <see cref="RequestCounts"/>).</summary>
internal enum WireEvent
{
    /// <summary>A request went on the wire (a retry is one more).</summary>
    RequestSent,
    /// <summary>A request is sent again after its attempt failed (a 429, a 5xx, a timeout, a dropped connection, an answer cut off).</summary>
    Retry,
    /// <summary>Intercom answered 429: the window was spent, by this connection or another client of the app.</summary>
    RateLimitedAnswer,
    /// <summary>The pacer began holding a request back for the rate limit (a spent window, Intercom's Retry-After).</summary>
    PacingWaitBegan,
    /// <summary>The pacer let that request go (or it was cancelled while held).</summary>
    PacingWaitEnded,
}
