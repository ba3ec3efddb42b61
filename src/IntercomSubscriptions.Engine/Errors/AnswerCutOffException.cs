namespace IntercomSubscriptions.Engine;

/// <summary>
/// Intercom's answer started (its status line and headers arrived) and then broke off: the request
/// did reach Intercom, which may have carried it out.
/// </summary>
internal sealed class AnswerCutOffException : IOException
{
    public AnswerCutOffException(int statusCode, long bytesRead, Exception inner)
        : base($"the HTTP {statusCode} answer broke off after {bytesRead} bytes of its body: {inner.Message}", inner)
    {
    }
}
