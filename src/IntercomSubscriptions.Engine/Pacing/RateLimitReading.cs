namespace IntercomSubscriptions.Engine;

/// <summary>One answer's rate-limit reading, with when its request went out and when the answer came back (our clock).</summary>
internal readonly record struct RateLimitReading(long Sequence, DateTimeOffset SentAt, DateTimeOffset AnsweredAt, int Remaining)
{
    /// <summary>About when the server counted the request: halfway through its round trip.</summary>
    public DateTimeOffset CountedAt => SentAt + TimeSpan.FromTicks((AnsweredAt - SentAt).Ticks / 2);
}
