using System.Net.Http;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// The last handler before the network: each request that reaches it is one sent, each 429 that comes
/// back one rate-limited answer, both reported to the call's sink (and the sending to its attempt log).
/// </summary>
internal sealed class CountingHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var call = IntercomCall.Of(request);
        call.Log.Sent++;
        call.Count(WireEvent.RequestSent);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if ((int)response.StatusCode == 429)
            call.Count(WireEvent.RateLimitedAnswer);
        return response;
    }
}
