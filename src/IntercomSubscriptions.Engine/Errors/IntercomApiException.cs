namespace IntercomSubscriptions.Engine;

/// <summary>
/// A failed Intercom call. Carries Intercom's own error code, message and request_id (which
/// Intercom support asks for) and never the token.
/// </summary>
internal sealed class IntercomApiException : Exception
{
    public IntercomApiException(IntercomErrorKind kind, string message, int? statusCode = null,
        string? errorCode = null, string? requestId = null, Exception? inner = null)
        : base(Compose(message, statusCode, errorCode, requestId), inner)
    {
        Kind = kind;
        ApiMessage = message;
        StatusCode = statusCode;
        ErrorCode = errorCode;
        RequestId = requestId;
    }

    public IntercomErrorKind Kind { get; }
    public string ApiMessage { get; }
    public int? StatusCode { get; }
    public string? ErrorCode { get; }
    public string? RequestId { get; }

    private static string Compose(string message, int? status, string? code, string? requestId)
    {
        var details = new List<string>();
        if (status is not null) details.Add($"HTTP {status}");
        if (!string.IsNullOrEmpty(code)) details.Add($"code {code}");
        if (!string.IsNullOrEmpty(requestId)) details.Add($"request_id {requestId}");
        return details.Count == 0 ? message : $"{message} ({string.Join(", ", details)})";
    }
}
