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

    public IntercomCall(IntercomRequest request, IIntercomEventSink? events, TimeProvider time)
    {
        Request = request;
        Events = events;
        Time = time;
        Log = new AttemptLog(time.GetUtcNow());
    }

    public IntercomRequest Request { get; }

    public IIntercomEventSink? Events { get; }

    public AttemptLog Log { get; }

    private TimeProvider Time { get; }

    /// <summary>Reports <paramref name="what"/> to the caller's sink, if there is one.</summary>
    public void Count(WireEvent what) => Events?.Count(what, Time.GetUtcNow());

    public void AttachTo(HttpRequestMessage message) => message.Properties[PropertyKey] = this;

    /// <summary>The call a message belongs to; every message the transport sends carries one.</summary>
    public static IntercomCall Of(HttpRequestMessage message) =>
        message.Properties.TryGetValue(PropertyKey, out var call) && call is IntercomCall intercomCall
            ? intercomCall
            : throw new InvalidOperationException("The request was not sent through IntercomTransport.");
}
