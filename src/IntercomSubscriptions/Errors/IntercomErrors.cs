using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Turns what the engine throws into ErrorRecords with stable ids (<see cref="ErrorIds"/>) and
/// fitting categories. The message keeps Intercom's code, message and request_id, which Intercom
/// support asks for. An engine exception never reaches PowerShell: it becomes an
/// <see cref="IntercomRequestException"/>, a type scripts can name.
/// </summary>
internal static class IntercomErrors
{
    private const string NotConnectedMessage = "Not connected to Intercom. Run Connect-Intercom first, or pass a connection with -Connection.";

    public static ErrorRecord ToErrorRecord(Exception exception, object? target, string? subject = null)
    {
        var (id, category, advice) = Classify(exception);
        var shown = Public(exception);
        var message = subject is null ? shown.Message : $"{subject}: {shown.Message}";
        var record = new ErrorRecord(shown, id, category, target)
        {
            ErrorDetails = new ErrorDetails(message),
        };
        if (advice is not null)
            record.ErrorDetails.RecommendedAction = advice;
        return record;
    }

    /// <summary>The exception as PowerShell may see it: engine types are mapped to public ones of this assembly.</summary>
    internal static Exception Public(Exception exception) => exception switch
    {
        IntercomApiException api => new IntercomRequestException(api.Message,
            Enum.TryParse<IntercomFailureKind>(api.Kind.ToString(), out var kind) ? kind : IntercomFailureKind.Other,
            api.StatusCode, api.ErrorCode, api.RequestId),
        _ when exception.GetType().Assembly == typeof(IntercomClient).Assembly =>
            new IntercomRequestException(exception.Message, IntercomFailureKind.Other, null, null, null),
        _ => exception,
    };

    public static ErrorRecord NotConnected() => new(
        new InvalidOperationException(NotConnectedMessage), ErrorIds.NotConnected, ErrorCategory.ConnectionError, null)
    {
        ErrorDetails = new ErrorDetails(NotConnectedMessage)
        {
            RecommendedAction = "Connect-Intercom -Token $token [-Region US|EU|AU]",
        },
    };

    /// <summary>A connection given with -Connection after Disconnect-Intercom closed it.</summary>
    public static ErrorRecord ConnectionClosed(IntercomConnection connection)
    {
        var message = $"The connection {connection} was closed by Disconnect-Intercom. Run Connect-Intercom again and use the connection it returns.";
        return new(new ObjectDisposedException(nameof(IntercomConnection), message), ErrorIds.ConnectionClosed, ErrorCategory.ConnectionError, connection)
        {
            ErrorDetails = new ErrorDetails(message) { RecommendedAction = "Connect-Intercom -PassThru" },
        };
    }

    public static ErrorRecord InvalidArgument(string message, object? target, string id = ErrorIds.InvalidArgument) =>
        new(new ArgumentException(message), id, ErrorCategory.InvalidArgument, target) { ErrorDetails = new ErrorDetails(message) };

    private static (string Id, ErrorCategory Category, string? Advice) Classify(Exception exception) => exception switch
    {
        IntercomApiException api => api.Kind switch
        {
            IntercomErrorKind.ContactNotFound => (ErrorIds.ContactNotFound, ErrorCategory.ObjectNotFound, "Check the contact id; Intercom ids look like 63a07ddf05a32042dffac965."),
            IntercomErrorKind.SubscriptionTypeNotFound => (ErrorIds.SubscriptionTypeNotFound, ErrorCategory.ObjectNotFound, "Get-IntercomSubscriptionType lists the subscription type ids of this workspace."),
            IntercomErrorKind.NotFound => (ErrorIds.NotFound, ErrorCategory.ObjectNotFound, null),
            IntercomErrorKind.Unauthorized => (ErrorIds.Unauthorized, ErrorCategory.AuthenticationError, "Check the access token, then run Connect-Intercom again."),
            IntercomErrorKind.Forbidden => (ErrorIds.Forbidden, ErrorCategory.PermissionDenied, "The token's app lacks the scope or the workspace's plan does not include this API."),
            IntercomErrorKind.InvalidRequest => (ErrorIds.InvalidRequest, ErrorCategory.InvalidArgument, null),
            IntercomErrorKind.RateLimited => (ErrorIds.RateLimited, ErrorCategory.LimitsExceeded, "Lower -ThrottleLimit, or run when other apps use less of the workspace's budget."),
            IntercomErrorKind.ServerError => (ErrorIds.ServerError, ErrorCategory.ResourceUnavailable, "Intercom had a transient failure; run the failed records again."),
            IntercomErrorKind.ConnectionFailed => (ErrorIds.ConnectionFailed, ErrorCategory.ConnectionError, "Check the network, proxy and -Region/-BaseUri."),
            IntercomErrorKind.Timeout => (ErrorIds.Timeout, ErrorCategory.OperationTimeout, "Raise -TimeoutSec on Connect-Intercom, or run the failed records again."),
            IntercomErrorKind.InvalidResponse => (ErrorIds.InvalidResponse, ErrorCategory.InvalidResult, "Something between you and Intercom (a proxy or gateway) may have answered instead of Intercom; check -BaseUri and the proxy."),
            _ => (ErrorIds.Error, ErrorCategory.NotSpecified, null),
        },
        ContactResolutionException { IsAmbiguous: true } => (ErrorIds.ContactAmbiguous, ErrorCategory.InvalidArgument, "Give the contact's Intercom id with -ContactId."),
        ContactResolutionException => (ErrorIds.ContactNotFound, ErrorCategory.ObjectNotFound, "New contacts can take a few minutes to become searchable in Intercom."),
        ContactConflictException => (ErrorIds.ContactConflict, ErrorCategory.InvalidArgument, "Give one way of naming the contact, or correct the row."),
        SubscriptionTypeResolutionException => (ErrorIds.SubscriptionTypeNotFound, ErrorCategory.ObjectNotFound, "Get-IntercomSubscriptionType lists the subscription types of this workspace."),
        ConsentMismatchException => (ErrorIds.ConsentMismatch, ErrorCategory.InvalidArgument, "Omit -Consent to use the subscription type's own consent type."),
        ObjectDisposedException => (ErrorIds.ConnectionClosed, ErrorCategory.ConnectionError, "Run Connect-Intercom again."),
        ArgumentException => (ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, null),
        _ => (ErrorIds.UnexpectedError, ErrorCategory.NotSpecified, null),
    };
}
