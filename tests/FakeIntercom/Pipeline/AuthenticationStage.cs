namespace FakeIntercom.Pipeline;

/// <summary>
/// Stage 2: the bearer token. A forbidden token gets Intercom's 403 about the plan; any other unknown
/// or missing token a 401; the valid one whatever <see cref="FaultSettings.RevokeTokenFromRequest"/>
/// and friends have made of it.
/// </summary>
internal sealed class AuthenticationStage(FakeIntercomOptions options, FaultSettings faults) : IRequestStage
{
    public async Task<bool> TryAnswerAsync(FakeExchange exchange)
    {
        var token = BearerToken(exchange.Slot.Authorization);
        if (token is not null && options.ForbiddenTokens.Contains(token))
        {
            await exchange.RespondErrorAsync(403, "api_plan_restricted", "Active subscription needed.").ConfigureAwait(false);
            return true;
        }
        if (token is null || !string.Equals(token, options.Token, StringComparison.Ordinal))
        {
            await exchange.RespondErrorAsync(401, "unauthorized", "Access Token Invalid").ConfigureAwait(false);
            return true;
        }
        if (faults.CountTokenUse(DateTimeOffset.UtcNow) is { } refusal)
        {
            await exchange.RespondErrorAsync(refusal.StatusCode, refusal.Code, refusal.Message).ConfigureAwait(false);
            return true;
        }
        return false;
    }

    private static string? BearerToken(string? authorization)
    {
        if (authorization is null) return null;
        const string prefix = "Bearer ";
        if (!authorization.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return null;
        var token = authorization[prefix.Length..].Trim();
        return token.Length == 0 ? null : token;
    }
}
