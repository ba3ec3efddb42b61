using Microsoft.AspNetCore.Http;

namespace FakeIntercom.Pipeline;

/// <summary>Stage 6: random faults at the rates in <see cref="FaultSettings"/>: dropped connections, slow answers, 500/502/503.</summary>
internal sealed class FaultDiceStage(FaultSettings faults) : IRequestStage
{
    public async Task<bool> TryAnswerAsync(FakeExchange exchange)
    {
        var roll = faults.Roll();
        if (roll.Drop)
        {
            exchange.Drop();
            return true;
        }
        if (roll.SlowMs > 0) await Task.Delay(roll.SlowMs, exchange.Cancellation).ConfigureAwait(false);
        switch (roll.ServerError)
        {
            case 500:
                await exchange.RespondErrorAsync(500, "server_error", "Server Error").ConfigureAwait(false);
                return true;
            case 503:
                await exchange.RespondErrorAsync(503, "service_unavailable", "Sorry, the API service is temporarily unavailable")
                    .ConfigureAwait(false);
                return true;
            case 502:
                // A gateway in front of Intercom answers in HTML, not in Intercom's JSON.
                exchange.Http.Response.StatusCode = 502;
                exchange.Http.Response.ContentType = "text/html";
                await exchange.Http.Response.WriteAsync("<html><body><h1>502 Bad Gateway</h1></body></html>", exchange.Cancellation)
                    .ConfigureAwait(false);
                return true;
            default:
                return false;
        }
    }
}
