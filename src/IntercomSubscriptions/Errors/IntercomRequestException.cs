namespace IntercomSubscriptions;

/// <summary>
/// A failed Intercom call, as the Exception of an ErrorRecord. A public type of the cmdlet
/// assembly so that <c>catch [IntercomSubscriptions.IntercomRequestException]</c> works: the
/// engine's own exception lives in a load context scripts cannot name, so it never reaches them
/// (not even as the InnerException).
/// </summary>
public sealed class IntercomRequestException : Exception
{
    public IntercomRequestException(string message, IntercomFailureKind kind, int? statusCode, string? errorCode, string? requestId)
        : base(message)
    {
        Kind = kind;
        StatusCode = statusCode;
        ErrorCode = errorCode;
        RequestId = requestId;
    }

    public IntercomFailureKind Kind { get; }

    /// <summary>The HTTP status Intercom answered with; null when no answer came (a timeout, a dropped connection).</summary>
    public int? StatusCode { get; }

    /// <summary>Intercom's own error code, e.g. not_found.</summary>
    public string? ErrorCode { get; }

    /// <summary>Intercom's request_id, which Intercom support asks for.</summary>
    public string? RequestId { get; }
}
