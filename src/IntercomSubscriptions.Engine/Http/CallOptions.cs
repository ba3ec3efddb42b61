namespace IntercomSubscriptions.Engine;

/// <summary>
/// What a caller that changes something asks of one call beyond its cancellation token: a step of its
/// own that must be done before anything goes out (a write-ahead journal's line), a token that
/// abandons attempts already on the wire, and where to report what became of the attempts.
/// </summary>
internal sealed class CallOptions
{
    /// <summary>
    /// Awaited once, when the first attempt has its place and the pacer's leave to go, just before it
    /// goes on the wire (later attempts are retries of the same call). When it fails the call fails
    /// with <see cref="BeforeSendFailedException"/> and nothing is sent; when the call's token is
    /// cancelled while it runs, nothing is sent either.
    /// </summary>
    public Func<Task>? BeforeFirstSend { get; init; }

    /// <summary>
    /// Cancels attempts already on the wire. When set, the call's own token stops only what has not
    /// gone out yet (no new attempt, no retry), so an answer on its way can still arrive and settle
    /// the call; when null, the call's token cancels everything at once.
    /// </summary>
    public CancellationToken? OnTheWire { get; init; }

    /// <summary>Filled in as the attempts go; read it once the call has ended.</summary>
    public CallDelivery Delivery { get; init; } = new();
}
