using System.Net.Http;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// One call's context, carried on its HttpRequestMessage through the handler pipeline: what is being
/// asked (for messages and for whether a retry may overlap a change), whom to tell and count for (the
/// caller's sink, passed with the call), and what its attempts did so far. No AsyncLocal, no static
/// state: each call carries its own, so concurrent calls and several runs on one connection never mix.
/// </summary>
internal sealed class IntercomCall
{
    private const string PropertyKey = "IntercomSubscriptions.Engine.IntercomCall";

    private readonly CallOptions? _options;
    private int _beforeFirstSendDone;

    public IntercomCall(IntercomRequest request, IIntercomEventSink? events, TimeProvider time, CallOptions? options = null)
    {
        Request = request;
        Events = events;
        Time = time;
        Log = new AttemptLog(time.GetUtcNow());
        _options = options;
        Delivery = options?.Delivery ?? new CallDelivery();
    }

    public IntercomRequest Request { get; }

    public IIntercomEventSink? Events { get; }

    public AttemptLog Log { get; }

    /// <summary>What became of the attempts on the wire: the caller's, when it asked (<see cref="CallOptions.Delivery"/>).</summary>
    public CallDelivery Delivery { get; }

    private TimeProvider Time { get; }

    /// <summary>The token attempts on the wire watch: the caller's <see cref="CallOptions.OnTheWire"/>, or the call's own.</summary>
    public CancellationToken OnTheWire(CancellationToken callToken) => _options?.OnTheWire ?? callToken;

    /// <summary>
    /// Runs the caller's step before the first attempt goes out (<see cref="CallOptions.BeforeFirstSend"/>),
    /// once; then, if the call was stopped meanwhile, throws so that nothing is sent.
    /// </summary>
    public async Task BeforeSendAsync(CancellationToken cancellationToken)
    {
        if (_options?.BeforeFirstSend is { } step && Interlocked.Exchange(ref _beforeFirstSendDone, 1) == 0)
        {
            try
            {
                await step().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                throw new BeforeSendFailedException(ex);
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Reports <paramref name="what"/> to the caller's sink, if there is one.</summary>
    public void Count(WireEvent what) => Events?.Count(what, Time.GetUtcNow());

    public void AttachTo(HttpRequestMessage message) => message.Properties[PropertyKey] = this;

    /// <summary>The call a message belongs to; every message the transport sends carries one.</summary>
    public static IntercomCall Of(HttpRequestMessage message) =>
        message.Properties.TryGetValue(PropertyKey, out var call) && call is IntercomCall intercomCall
            ? intercomCall
            : throw new InvalidOperationException("The request was not sent through IntercomTransport.");
}
