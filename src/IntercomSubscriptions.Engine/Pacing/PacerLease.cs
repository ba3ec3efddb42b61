namespace IntercomSubscriptions.Engine;

/// <summary>
/// One request's permission from the <see cref="RateLimitPacer"/> to be on the wire. Dispose it when
/// the attempt ends (a <c>using</c>): the pacer learns from the answer given to <see cref="Answered"/>,
/// or, when there was none (no answer, no headers), keeps the request in doubt.
/// </summary>
internal sealed class PacerLease : IDisposable
{
    private readonly RateLimitPacer _pacer;
    private readonly PacerTicket _ticket;
    private RateLimitHeaders _headers = RateLimitHeaders.None;
    private int? _statusCode;
    private int _released;

    public PacerLease(RateLimitPacer pacer, PacerTicket ticket)
    {
        _pacer = pacer;
        _ticket = ticket;
    }

    /// <summary>The answer's status line and headers arrived (whatever becomes of its body).</summary>
    public void Answered(int statusCode, RateLimitHeaders headers)
    {
        _statusCode = statusCode;
        _headers = headers;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;
        _pacer.Release(_ticket, _statusCode is null ? null : _headers, _statusCode);
    }
}
