namespace IntercomSubscriptions.Engine;

/// <summary>What went wrong, in terms the cmdlet layer can map to an error category.</summary>
internal enum IntercomErrorKind
{
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
