namespace FakeIntercom.Pipeline;

/// <summary>Stage 4: when <see cref="FaultSettings.RateLimit"/> is set, count the request against the window and answer 429 once it is spent.</summary>
internal sealed class RateLimitStage(FaultSettings faults, RateLimitWindow window) : IRequestStage
{
    public async Task<bool> TryAnswerAsync(FakeExchange exchange)
    {
        if (faults.GetRateLimit() is not { } setting) return false;

        var reading = window.Take(setting, DateTimeOffset.UtcNow);
        var headerFaults = faults.GetRateLimitHeaderFaults();
        RateLimitHeaders.Write(exchange.Http.Response, reading, headerFaults);
        if (!reading.Exhausted)
        {
            exchange.Slot.CountedInWindowEndingAt = reading.ResetUnixSeconds;
            return false;
        }

        if (headerFaults.RetryAfter is { } retryAfter) exchange.Http.Response.Headers.RetryAfter = retryAfter;

        exchange.MarkWhileExhausted();
        await exchange.RespondErrorAsync(429, "rate_limit_exceeded", $"Exceeded rate limit of {setting.Limit} in {setting.WindowSeconds}_seconds")
            .ConfigureAwait(false);
        return true;
    }
}
