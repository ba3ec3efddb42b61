namespace IntercomSubscriptions.Engine;

/// <summary>One answer from Intercom, read whole (within a size cap) inside the attempt that got it.</summary>
internal sealed class ApiResponse
{
    public ApiResponse(int statusCode, string? reasonPhrase, string? contentType, string body, string? requestId)
    {
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        ContentType = contentType;
        Body = body;
        RequestId = requestId;
    }

    public int StatusCode { get; }
    public string? ReasonPhrase { get; }
    public string? ContentType { get; }
    public string Body { get; }
    /// <summary>From the X-Request-Id header; an error list's request_id takes precedence.</summary>
    public string? RequestId { get; }
    /// <summary>The answer said "Retry-After: 0": retry at once.</summary>
    public bool RetryAfterZero { get; init; }
    /// <summary>Where a 3xx pointed (path only, shown in the error), or null.</summary>
    public string? Location { get; init; }

    /// <summary>A body type that is not JSON (text/html from a proxy's error page, say), or null.</summary>
    public string? NonJsonContentType =>
        ContentType is { Length: > 0 } type && type.IndexOf("json", StringComparison.OrdinalIgnoreCase) < 0 ? type : null;

    public bool IsSuccess => StatusCode is >= 200 and <= 299;

    public IntercomApiException InvalidBody(string message, Exception? inner = null) =>
        new(IntercomErrorKind.InvalidResponse, message, StatusCode, null, RequestId, inner);
}
