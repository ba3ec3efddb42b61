using Microsoft.AspNetCore.Http;

namespace FakeIntercom.Pipeline;

/// <summary>Stage 5: a canned answer queued with <see cref="FaultSettings.EnqueueScripted"/> for this method and path, if any.</summary>
internal sealed class ScriptedResponseStage(FaultSettings faults) : IRequestStage
{
    public async Task<bool> TryAnswerAsync(FakeExchange exchange)
    {
        var scripted = faults.TryDequeueScripted(exchange.Method, exchange.RawPath);
        if (scripted is null) return false;

        var ct = exchange.Cancellation;
        if (scripted.DelayMs > 0) await Task.Delay(scripted.DelayMs, ct).ConfigureAwait(false);
        if (scripted.DropConnection)
        {
            exchange.Drop();
            return true;
        }
        var response = exchange.Http.Response;
        response.StatusCode = scripted.StatusCode;
        if (scripted.Headers is not null)
            foreach (var (name, value) in scripted.Headers)
                response.Headers[name] = value;
        if (scripted.Body is not null)
        {
            response.ContentType = scripted.ContentType;
            await response.WriteAsync(scripted.Body, ct).ConfigureAwait(false);
        }
        return true;
    }
}
