using System.Text;
using Microsoft.AspNetCore.Http;

namespace FakeIntercom.Pipeline;

/// <summary>Stage 5: a canned answer queued with <see cref="FaultSettings.EnqueueScripted"/> for this method and path, if any.</summary>
internal sealed class ScriptedResponseStage(FaultSettings faults) : IRequestStage
{
    private static readonly TimeSpan CutOffGrace = TimeSpan.FromMilliseconds(300);

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
        if (scripted.Body is null) return true;

        response.ContentType = scripted.ContentType;
        if (scripted.CutOffAfterBytes is not int cut)
        {
            await response.WriteAsync(scripted.Body, ct).ConfigureAwait(false);
            return true;
        }
        var body = Encoding.UTF8.GetBytes(scripted.Body);
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body.AsMemory(0, Math.Clamp(cut, 0, body.Length)), ct).ConfigureAwait(false);
        await response.Body.FlushAsync(ct).ConfigureAwait(false);
        // The abort is a TCP reset, which can make the client drop bytes it has not read yet: give it
        // a moment to take the headers and the first bytes, so the cut falls inside the body.
        await Task.Delay(CutOffGrace, ct).ConfigureAwait(false);
        exchange.Http.Abort();
        return true;
    }
}
