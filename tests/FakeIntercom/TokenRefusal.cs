namespace FakeIntercom;

/// <summary>What a 403 about the app says: its plan does not include the API, or the token lacks a scope.</summary>
public enum AppRefusal
{
    Plan,
    Scope,
}

/// <summary>How the valid token stops working (<see cref="FaultSettings.RevokeTokenFromRequest"/> and friends): the answer, and from when.</summary>
internal sealed record TokenRefusal(int StatusCode, string Code, string Message, int? FromRequest, DateTimeOffset? From)
{
    public static TokenRefusal Revoked(int? fromRequest, DateTimeOffset? from) =>
        new(401, "unauthorized", "Access Token Invalid", fromRequest, from);

    public static TokenRefusal Forbidden(AppRefusal reason, int? fromRequest, DateTimeOffset? from) => reason switch
    {
        AppRefusal.Scope => new(403, "forbidden", "The access token does not have the scopes this request needs.", fromRequest, from),
        _ => new(403, "api_plan_restricted", "Active subscription needed.", fromRequest, from),
    };
}
