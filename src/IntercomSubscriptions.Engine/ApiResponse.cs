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

    public bool IsSuccess => StatusCode is >= 200 and <= 299;

    public IntercomApiException InvalidBody(string message, Exception? inner = null) =>
        new(IntercomErrorKind.InvalidResponse, message, StatusCode, null, RequestId, inner);
}
