using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// A failed Intercom call, as the Exception of an ErrorRecord. A public type of the cmdlet
/// assembly so that <c>catch [IntercomSubscriptions.IntercomRequestException]</c> works: the
/// engine's own exception lives in a load context scripts cannot name, so it never reaches them
/// (not even as the InnerException). Its error id follows from its <see cref="IntercomException.Kind"/>.
/// </summary>
public sealed class IntercomRequestException : IntercomException
{
    public IntercomRequestException(string message, IntercomFailureKind kind, int? statusCode, string? errorCode, string? requestId)
        : this(message, kind, statusCode, errorCode, requestId, contactKey: null)
    {
    }

    public IntercomRequestException(string message, IntercomFailureKind kind, int? statusCode, string? errorCode, string? requestId, string? contactKey)
        : base(message, IdentityOf(kind), kind, statusCode, errorCode, requestId, contactKey)
    {
    }

    private static IntercomErrorIdentity IdentityOf(IntercomFailureKind kind) => kind switch
    {
        IntercomFailureKind.ContactNotFound => new(ErrorIds.ContactNotFound, ErrorCategory.ObjectNotFound, "Check the contact id; Intercom ids look like 63a07ddf05a32042dffac965."),
        IntercomFailureKind.SubscriptionTypeNotFound => new(ErrorIds.SubscriptionTypeNotFound, ErrorCategory.ObjectNotFound, "Get-IntercomSubscriptionType lists the subscription type ids of this workspace."),
        IntercomFailureKind.NotFound => new(ErrorIds.NotFound, ErrorCategory.ObjectNotFound),
        IntercomFailureKind.Unauthorized => new(ErrorIds.Unauthorized, ErrorCategory.AuthenticationError, "Check the access token, then run Connect-Intercom again."),
        IntercomFailureKind.Forbidden => new(ErrorIds.Forbidden, ErrorCategory.PermissionDenied, "The token's app lacks the scope or the workspace's plan does not include this API."),
        IntercomFailureKind.InvalidRequest => new(ErrorIds.InvalidRequest, ErrorCategory.InvalidArgument),
        IntercomFailureKind.RateLimited => new(ErrorIds.RateLimited, ErrorCategory.LimitsExceeded, "Lower -ThrottleLimit, or run when other apps use less of the workspace's budget."),
        IntercomFailureKind.ServerError => new(ErrorIds.ServerError, ErrorCategory.ResourceUnavailable, "Intercom had a transient failure; run the failed records again."),
        IntercomFailureKind.ConnectionFailed => new(ErrorIds.ConnectionFailed, ErrorCategory.ConnectionError, "Check the network, proxy and -Region/-BaseUri."),
        IntercomFailureKind.Timeout => new(ErrorIds.Timeout, ErrorCategory.OperationTimeout, "Raise -TimeoutSec on Connect-Intercom, or run the failed records again."),
        IntercomFailureKind.InvalidResponse => new(ErrorIds.InvalidResponse, ErrorCategory.InvalidResult, "Something between you and Intercom (a proxy or gateway) may have answered instead of Intercom; check -BaseUri and the proxy."),
        // The kinds of failures found before any request have exceptions of their own; given here (by a script), they stay unclassified.
        _ => new(ErrorIds.Error, ErrorCategory.NotSpecified),
    };
}
