namespace IntercomSubscriptions;

/// <summary>What kind of failure an Intercom call had (mirrors the engine's classification, which PowerShell cannot see).</summary>
public enum IntercomFailureKind
{
    Other,
    ContactNotFound,
    SubscriptionTypeNotFound,
    NotFound,
    Unauthorized,
    Forbidden,
    InvalidRequest,
    RateLimited,
    ServerError,
    ConnectionFailed,
    Timeout,
    InvalidResponse,
}
