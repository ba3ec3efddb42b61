using System.Text.RegularExpressions;

namespace FakeIntercom.Pipeline;

/// <summary>
/// Stage 3: the Intercom-Version header, when sent, must be a version Intercom could know
/// ("2.14", "Unstable", "Preview"); anything else gets Intercom's 400 intercom_version_invalid.
/// </summary>
internal sealed partial class ApiVersionStage(FaultSettings faults, RateLimitWindow window) : IRequestStage
{
    public async Task<bool> TryAnswerAsync(FakeExchange exchange)
    {
        var version = exchange.Slot.IntercomVersion;
        if (version is null || IsValidVersion(version)) return false;

        // Authenticated, so Intercom reports the window, but a refused version is not counted against it.
        if (faults.GetRateLimit() is { } setting)
            RateLimitHeaders.Write(exchange.Http.Response, window.Peek(setting, DateTimeOffset.UtcNow), faults.GetRateLimitHeaderFaults());
        await exchange.RespondErrorAsync(400, "intercom_version_invalid", $"The requested version '{version}' is not valid")
            .ConfigureAwait(false);
        return true;
    }

    internal static bool IsValidVersion(string version) =>
        version is "Unstable" or "Preview" || VersionPattern().IsMatch(version);

    // [0-9], not \d (which matches any Unicode digit), and \A…\z, not ^…$ ($ also matches before a final newline).
    [GeneratedRegex(@"\A[0-9]+\.[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}
