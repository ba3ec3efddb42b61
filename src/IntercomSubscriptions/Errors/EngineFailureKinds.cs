using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// The engine's classification of a failed call, as the public kind scripts see. One arm per engine
/// kind and no default: a kind added to the engine is a build error here (CS8509 is an error in this
/// project) until it is given its public meaning, never a silent "Other".
/// </summary>
internal static class EngineFailureKinds
{
#pragma warning disable CS8524 // Values outside the enum's members cannot come from the engine's classifier.
    public static IntercomFailureKind ToPublic(IntercomErrorKind kind) => kind switch
    {
        IntercomErrorKind.ContactNotFound => IntercomFailureKind.ContactNotFound,
        IntercomErrorKind.SubscriptionTypeNotFound => IntercomFailureKind.SubscriptionTypeNotFound,
        IntercomErrorKind.NotFound => IntercomFailureKind.NotFound,
        IntercomErrorKind.Unauthorized => IntercomFailureKind.Unauthorized,
        IntercomErrorKind.Forbidden => IntercomFailureKind.Forbidden,
        IntercomErrorKind.InvalidRequest => IntercomFailureKind.InvalidRequest,
        IntercomErrorKind.RateLimited => IntercomFailureKind.RateLimited,
        IntercomErrorKind.ServerError => IntercomFailureKind.ServerError,
        IntercomErrorKind.ConnectionFailed => IntercomFailureKind.ConnectionFailed,
        IntercomErrorKind.Timeout => IntercomFailureKind.Timeout,
        IntercomErrorKind.InvalidResponse => IntercomFailureKind.InvalidResponse,
    };
#pragma warning restore CS8524
}
