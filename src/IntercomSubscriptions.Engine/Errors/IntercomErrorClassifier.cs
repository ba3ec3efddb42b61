using System.Net.Http;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Turns what went wrong into an <see cref="IntercomApiException"/>: an answer that is not a
/// success, or a failure to get an answer at all. Every server string in it is cleaned.
/// </summary>
internal sealed class IntercomErrorClassifier
{
    private readonly IntercomClientOptions _options;
    private readonly ServerTextCleaner _text;
    private readonly TimeProvider _time;

    public IntercomErrorClassifier(IntercomClientOptions options, ServerTextCleaner text, TimeProvider time)
    {
        _options = options;
        _text = text;
        _time = time;
    }

    public IntercomApiException FromResponse(ApiResponse response, IntercomRequest request, AttemptLog log)
    {
        var (code, message, requestId) = IntercomJson.ReadErrorList(response.Body);
        code = _text.Clean(code, 100);
        message = _text.Clean(message, 500);
        requestId = _text.Clean(requestId, 100) ?? response.RequestId;
        if (response.StatusCode is >= 300 and <= 399)
        {
            // Intercom's API does not redirect; a redirect comes from something in between (a captive portal,
            // a wrong base URI), and following it could send the request where it was never meant to go.
            return new IntercomApiException(IntercomErrorKind.InvalidResponse,
                $"Intercom answered HTTP {response.StatusCode} {response.ReasonPhrase}, a redirect" + (response.Location is null ? "" : $" to {response.Location}")
                + ", which is not followed: the base URI or a proxy may be wrong",
                response.StatusCode, code, requestId);
        }
        if (message is null)
        {
            var what = response.BodyIsBlank ? "an empty body"
                : $"a {response.ContentType ?? "non-JSON"} body that is not an Intercom error list (a proxy or gateway may have answered)";
            message = $"Intercom answered HTTP {response.StatusCode} {response.ReasonPhrase} with {what}";
        }
        var kind = response.StatusCode switch
        {
            404 => NotFoundKind(request.NotFound, message),
            401 => IntercomErrorKind.Unauthorized,
            403 => IntercomErrorKind.Forbidden,
            408 => IntercomErrorKind.Timeout,
            429 => IntercomErrorKind.RateLimited,
            >= 500 => IntercomErrorKind.ServerError,
            _ => IntercomErrorKind.InvalidRequest,
        };
        if (response.StatusCode == 429)
            message = $"{message} (rate limited on all of {log.SentText} over {Seconds(_time.GetUtcNow() - log.Started)})";
        else if (log.Sent > 1)
            message = $"{message} ({log.SentText})";
        return new IntercomApiException(kind, message, response.StatusCode, code, requestId);
    }

    /// <summary>What a 404 is about: the resource the call names, never a guess from an unexpected message.</summary>
    private static IntercomErrorKind NotFoundKind(NotFoundMeaning meaning, string message) => meaning switch
    {
        NotFoundMeaning.Contact => IntercomErrorKind.ContactNotFound,
        NotFoundMeaning.ContactOrSubscriptionType when string.Equals(message, "User Not Found", StringComparison.OrdinalIgnoreCase) => IntercomErrorKind.ContactNotFound,
        NotFoundMeaning.ContactOrSubscriptionType when string.Equals(message, "Resource Not Found", StringComparison.OrdinalIgnoreCase) => IntercomErrorKind.SubscriptionTypeNotFound,
        _ => IntercomErrorKind.NotFound,
    };

    /// <summary>
    /// A failure with no answer to classify: the exception itself when it is already the caller's
    /// (cancellation, a bad argument, a closed connection, the caller's own step before sending, an
    /// engine error), otherwise a timeout or a connection failure.
    /// </summary>
    public Exception FromFailure(Exception exception, IntercomCall call, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
            return exception;
        var request = call.Request;
        var log = call.Log;
        // What a change that got no clear answer may have done: say it rather than imply it failed.
        var mayHaveApplied = request.ChangesState && call.Delivery.MayHaveApplied ? "; Intercom may have applied the change all the same" : "";
        var overlap = request.ChangesState && log.TimedOut > 0 && log.Sent > 1
            ? ", and a retry may have run on Intercom's side alongside a timed-out attempt"
            : "";
        return exception switch
        {
            IntercomApiException or ArgumentException or ObjectDisposedException or BeforeSendFailedException => exception,
            AttemptTimedOutException => new IntercomApiException(IntercomErrorKind.Timeout,
                $"{request.Operation}: Intercom did not answer within {Seconds(_options.Timeout)} ({Attempts(log)}){mayHaveApplied}{overlap}", inner: exception),
            AnswerCutOffException => new IntercomApiException(IntercomErrorKind.ConnectionFailed,
                $"{request.Operation}: {Describe(exception)} ({Attempts(log)}){mayHaveApplied}{overlap}", inner: exception),
            _ => new IntercomApiException(IntercomErrorKind.ConnectionFailed,
                $"{request.Operation}: {(mayHaveApplied.Length > 0 ? "lost the connection to" : "could not reach")} {_options.BaseUri.Host}: {Describe(exception)} ({Attempts(log)}){mayHaveApplied}{overlap}", inner: exception),
        };
    }

    /// <summary>
    /// A refusal of the token itself, not of one record: every later request would be refused too.
    /// A 403 counts only when its code says it is about the app's scope or the workspace's plan.
    /// </summary>
    public static bool RefusesTheToken(IntercomApiException error) =>
        error.Kind == IntercomErrorKind.Unauthorized
        || (error.Kind == IntercomErrorKind.Forbidden && error.ErrorCode is { } code
            && (code is "api_plan_restricted" or "forbidden" or "unauthorized" || code.StartsWith("token_", StringComparison.Ordinal)));

    /// <summary>The error for a request not sent because Intercom had refused the token before.</summary>
    public static IntercomApiException NotSentAfter(IntercomApiException refusal) =>
        new(refusal.Kind, $"Not sent: Intercom refused this connection's token on an earlier request ({refusal.ApiMessage})",
            refusal.StatusCode, refusal.ErrorCode, refusal.RequestId);

    public static string Describe(Exception exception) => exception switch
    {
        AttemptTimedOutException timeout => timeout.Message,
        HttpRequestException http => "network: " + (http.InnerException?.Message ?? http.Message),
        _ => exception.GetType().Name + ": " + exception.Message,
    };

    private string Attempts(AttemptLog log) => log.Sent <= 1 && _options.MaxRetries <= 0 ? "1 attempt, no retries" : log.SentText;

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " s";
}
