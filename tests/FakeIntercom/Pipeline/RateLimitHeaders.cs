using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace FakeIntercom.Pipeline;

/// <summary>Intercom's X-RateLimit-* headers for a reading of the window.</summary>
internal static class RateLimitHeaders
{
    public static void Write(HttpResponse response, RateLimitReading reading)
    {
        response.Headers["X-RateLimit-Limit"] = reading.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Remaining"] = (reading.Exhausted ? 0 : reading.Remaining).ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Reset"] = reading.ResetUnixSeconds.ToString(CultureInfo.InvariantCulture);
    }
}
