using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace FakeIntercom.Pipeline;

/// <summary>Intercom's X-RateLimit-* headers for a reading of the window, as the header faults bend them.</summary>
internal static class RateLimitHeaders
{
    public static void Write(HttpResponse response, RateLimitReading reading, RateLimitHeaderFaults faults)
    {
        if (faults.Omit) return;
        response.Headers["X-RateLimit-Limit"] = reading.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Remaining"] = (reading.Exhausted ? 0 : reading.Remaining).ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Reset"] = faults.ResetHeaderValue
            ?? (reading.ResetUnixSeconds + faults.ResetSkewSeconds).ToString(CultureInfo.InvariantCulture);
    }
}
