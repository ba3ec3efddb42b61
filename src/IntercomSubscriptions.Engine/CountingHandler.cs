using System.Net.Http;

namespace IntercomSubscriptions.Engine;

/// <summary>Counts each HTTP attempt into the <see cref="RequestCounts"/> of the flow that sends it, when there is one.</summary>
internal sealed class CountingHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var unit = RequestCounts.Current;
        if (unit is null)
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        unit.Sending();
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            unit.Answered((int)response.StatusCode);
            return response;
        }
        catch
        {
            unit.FailedOnTheWire();
            throw;
        }
    }
}
