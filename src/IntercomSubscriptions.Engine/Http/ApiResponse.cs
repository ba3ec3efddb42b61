namespace IntercomSubscriptions.Engine;

/// <summary>
/// One answer from Intercom, read to its end (within a size cap) inside the attempt that got it, its body
/// kept as only the JSON the module reads from it (<see cref="AnswerJson"/>). Dispose it once read: that gives its
/// bytes back to the connection's memory budget.
/// </summary>
internal sealed class ApiResponse : IDisposable
{
    private readonly IDisposable? _buffer;

    public ApiResponse(int statusCode, string? reasonPhrase, string? contentType, AnswerJson body, string? requestId, IDisposable? buffer = null)
    {
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        ContentType = contentType;
        Body = body;
        RequestId = requestId;
        _buffer = buffer;
    }

    public int StatusCode { get; }
    public string? ReasonPhrase { get; }
    public string? ContentType { get; }
    public AnswerJson Body { get; }
    /// <summary>From the X-Request-Id header; an error list's request_id takes precedence.</summary>
    public string? RequestId { get; }
    /// <summary>Where a 3xx pointed (path only, shown in the error), or null.</summary>
    public string? Location { get; init; }

    /// <summary>No body, or only white space.</summary>
    public bool BodyIsBlank => Body.IsBlank;

    /// <summary>A body type that is not JSON (text/html from a proxy's error page, say), or null.</summary>
    public string? NonJsonContentType =>
        ContentType is { Length: > 0 } type && type.IndexOf("json", StringComparison.OrdinalIgnoreCase) < 0 ? type : null;

    public bool IsSuccess => StatusCode is >= 200 and <= 299;

    public IntercomApiException InvalidBody(string message, Exception? inner = null) =>
        new(IntercomErrorKind.InvalidResponse, message, StatusCode, null, RequestId, inner);

    public void Dispose() => _buffer?.Dispose();
}
