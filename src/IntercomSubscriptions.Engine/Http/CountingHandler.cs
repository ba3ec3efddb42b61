using System.Net.Http;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// The last handler before the network: each request that reaches it is one sent, each 429 that comes
/// back one rate-limited answer, both reported to the call's sink (and the sending to its attempt log).
/// An attempt that went out and got no answer is recorded in the call's <see cref="CallDelivery"/>
/// here; one that got an answer, with its request_id, by <see cref="AttemptHandler"/>.
/// </summary>
internal sealed class CountingHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var call = IntercomCall.Of(request);
        call.Log.Sent++;
        call.Count(WireEvent.RequestSent);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            call.Delivery.Unanswered(ex);
            throw;
        }
        if ((int)response.StatusCode == 429)
            call.Count(WireEvent.RateLimitedAnswer);
        return response;
    }
}
