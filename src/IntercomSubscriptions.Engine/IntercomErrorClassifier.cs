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

    public IntercomErrorClassifier(IntercomClientOptions options, ServerTextCleaner text)
    {
        _options = options;
        _text = text;
    }

    public IntercomApiException FromResponse(ApiResponse response, IntercomRequest request)
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
            var what = string.IsNullOrWhiteSpace(response.Body) ? "an empty body"
                : $"a {response.ContentType ?? "non-JSON"} body that is not an Intercom error list (a proxy or gateway may have answered)";
            message = $"Intercom answered HTTP {response.StatusCode} {response.ReasonPhrase} with {what}";
        }
        var kind = response.StatusCode switch
        {
            404 when string.Equals(message, "User Not Found", StringComparison.OrdinalIgnoreCase) => IntercomErrorKind.ContactNotFound,
            404 => request.NotFoundMeans,
            401 => IntercomErrorKind.Unauthorized,
            403 => IntercomErrorKind.Forbidden,
            408 => IntercomErrorKind.Timeout,
            429 => IntercomErrorKind.RateLimited,
            >= 500 => IntercomErrorKind.ServerError,
            _ => IntercomErrorKind.InvalidRequest,
        };
        return new IntercomApiException(kind, message, response.StatusCode, code, requestId);
    }

    /// <summary>
    /// A failure with no answer to classify: the exception itself when it is already the caller's
    /// (cancellation, a bad argument, a closed connection, an engine error), otherwise a timeout or a
    /// connection failure.
    /// </summary>
    public Exception FromFailure(Exception exception, IntercomRequest request, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
            return exception;
        return exception switch
        {
            IntercomApiException or ArgumentException or ObjectDisposedException => exception,
            AttemptTimedOutException => new IntercomApiException(IntercomErrorKind.Timeout,
                $"{request.Operation}: Intercom did not answer within {_options.Timeout.TotalSeconds:0.#} s ({Attempts()})", inner: exception),
            _ => new IntercomApiException(IntercomErrorKind.ConnectionFailed,
                $"{request.Operation}: could not reach {_options.BaseUri.Host}: {Describe(exception)} ({Attempts()})", inner: exception),
        };
    }

    public static string Describe(Exception exception) => exception switch
    {
        AttemptTimedOutException timeout => timeout.Message,
        HttpRequestException http => "network: " + (http.InnerException?.Message ?? http.Message),
        _ => exception.GetType().Name + ": " + exception.Message,
    };

    private string Attempts() => _options.MaxRetries <= 0 ? "1 attempt, no retries" : $"{_options.MaxRetries + 1} attempts";
}
