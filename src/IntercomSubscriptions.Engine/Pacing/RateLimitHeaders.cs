using System.Globalization;
using System.Net.Http.Headers;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// One answer's rate-limit headers, read once: X-RateLimit-Limit/Remaining/Reset (Reset in UNIX
/// seconds) and Retry-After (as a wait from when the answer was read). The pacer and the adaptive
/// concurrency limit both learn from it.
/// </summary>
internal readonly record struct RateLimitHeaders(long? Limit, long? Remaining, long? Reset, TimeSpan? RetryAfter)
{
    /// <summary>No rate-limit headers at all (a proxy's answer, a server that sends none).</summary>
    public static RateLimitHeaders None => default;

    public static RateLimitHeaders Read(HttpResponseHeaders headers, DateTimeOffset now) =>
        new(ReadLong(headers, "X-RateLimit-Limit"), ReadLong(headers, "X-RateLimit-Remaining"), ReadLong(headers, "X-RateLimit-Reset"),
            ReadRetryAfter(headers, now));

    private static long? ReadLong(HttpResponseHeaders headers, string name)
    {
        if (!headers.TryGetValues(name, out var values)) return null;
        foreach (var value in values)
        {
            if (long.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
                return number;
        }
        return null;
    }

    private static TimeSpan? ReadRetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
    {
        var retryAfter = headers.RetryAfter;
        if (retryAfter is null) return null;
        if (retryAfter.Delta is { } delta) return delta;
        if (retryAfter.Date is { } date) return date - now;
        return null;
    }
}
