using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Turns what the engine throws into ErrorRecords with stable ids and fitting categories. The
/// message keeps Intercom's code, message and request_id, which Intercom support asks for.
/// </summary>
internal static class IntercomErrors
{
    public const string NotConnectedId = "IntercomNotConnected";

    public static ErrorRecord ToErrorRecord(Exception exception, object? target, string? subject = null)
    {
        var (id, category, advice) = Classify(exception);
        var message = subject is null ? exception.Message : $"{subject}: {exception.Message}";
        var record = new ErrorRecord(exception, id, category, target)
        {
            ErrorDetails = new ErrorDetails(message),
        };
        if (advice is not null)
            record.ErrorDetails.RecommendedAction = advice;
        return record;
    }

    public static ErrorRecord NotConnected() => new(
        new InvalidOperationException("Not connected to Intercom. Run Connect-Intercom first, or pass a connection with -Connection."),
        NotConnectedId, ErrorCategory.ConnectionError, null)
    {
        ErrorDetails = new ErrorDetails("Not connected to Intercom. Run Connect-Intercom first, or pass a connection with -Connection.")
        {
            RecommendedAction = "Connect-Intercom -Token $token [-Region US|EU|AU]",
        },
    };

    public static ErrorRecord InvalidArgument(string message, object? target, string id = "IntercomInvalidArgument") =>
        new(new ArgumentException(message), id, ErrorCategory.InvalidArgument, target) { ErrorDetails = new ErrorDetails(message) };

    private static (string Id, ErrorCategory Category, string? Advice) Classify(Exception exception) => exception switch
    {
        IntercomApiException api => api.Kind switch
        {
            IntercomErrorKind.ContactNotFound => ("IntercomContactNotFound", ErrorCategory.ObjectNotFound, "Check the contact id; Intercom ids look like 63a07ddf05a32042dffac965."),
            IntercomErrorKind.SubscriptionTypeNotFound => ("IntercomSubscriptionTypeNotFound", ErrorCategory.ObjectNotFound, "Get-IntercomSubscriptionType lists the subscription type ids of this workspace."),
            IntercomErrorKind.NotFound => ("IntercomNotFound", ErrorCategory.ObjectNotFound, null),
            IntercomErrorKind.Unauthorized => ("IntercomUnauthorized", ErrorCategory.AuthenticationError, "Check the access token, then run Connect-Intercom again."),
            IntercomErrorKind.Forbidden => ("IntercomForbidden", ErrorCategory.PermissionDenied, "The token's app lacks the scope or the workspace's plan does not include this API."),
            IntercomErrorKind.InvalidRequest => ("IntercomInvalidRequest", ErrorCategory.InvalidArgument, null),
            IntercomErrorKind.RateLimited => ("IntercomRateLimited", ErrorCategory.LimitsExceeded, "Lower -ThrottleLimit, or run when other apps use less of the workspace's budget."),
            IntercomErrorKind.ServerError => ("IntercomServerError", ErrorCategory.ResourceUnavailable, "Intercom had a transient failure; run the failed records again."),
            IntercomErrorKind.ConnectionFailed => ("IntercomConnectionFailed", ErrorCategory.ConnectionError, "Check the network, proxy and -Region/-BaseUri."),
            IntercomErrorKind.Timeout => ("IntercomTimeout", ErrorCategory.OperationTimeout, "Raise -TimeoutSec on Connect-Intercom, or run the failed records again."),
            IntercomErrorKind.InvalidResponse => ("IntercomInvalidResponse", ErrorCategory.InvalidResult, "Something between you and Intercom (a proxy or gateway) may have answered instead of Intercom; check -BaseUri and the proxy."),
            _ => ("IntercomError", ErrorCategory.NotSpecified, null),
        },
        ContactResolutionException { IsAmbiguous: true } => ("IntercomContactAmbiguous", ErrorCategory.InvalidArgument, "Give the contact's Intercom id with -ContactId."),
        ContactResolutionException => ("IntercomContactNotFound", ErrorCategory.ObjectNotFound, "New contacts can take a few minutes to become searchable in Intercom."),
        SubscriptionTypeResolutionException => ("IntercomSubscriptionTypeNotFound", ErrorCategory.ObjectNotFound, "Get-IntercomSubscriptionType lists the subscription types of this workspace."),
        ConsentMismatchException => ("IntercomConsentMismatch", ErrorCategory.InvalidArgument, "Omit -Consent to use the subscription type's own consent type."),
        ObjectDisposedException => ("IntercomConnectionClosed", ErrorCategory.ConnectionError, "Run Connect-Intercom again."),
        ArgumentException => ("IntercomInvalidArgument", ErrorCategory.InvalidArgument, null),
        _ => ("IntercomUnexpectedError", ErrorCategory.NotSpecified, null),
    };
}
