using System.Text.Json.Nodes;
using FakeIntercom.Json;
using Microsoft.AspNetCore.Http;

namespace FakeIntercom.Pipeline;

/// <summary>One request on its way through the stages: what arrived, and the ways to answer it.</summary>
internal sealed class FakeExchange(HttpContext http, RequestLog log, FaultSettings faults, RequestLog.Slot slot, string requestId, CancellationToken cancellation)
{
    public HttpContext Http { get; } = http;
    public RequestLog.Slot Slot { get; } = slot;
    public string RequestId { get; } = requestId;
    public CancellationToken Cancellation { get; } = cancellation;

    public string Method => Slot.Method;
    public string RawPath => Slot.RawPath;
    public string? Body => Slot.Body;

    public async Task RespondJsonAsync(int status, JsonNode node)
    {
        await AnswerDelayAsync().ConfigureAwait(false);
        await ResponseWriter.WriteJsonAsync(Http, status, node, Cancellation, faults.GetBodyShape()).ConfigureAwait(false);
    }

    public async Task RespondErrorAsync(int status, string code, string message)
    {
        await AnswerDelayAsync().ConfigureAwait(false);
        await ResponseWriter.WriteErrorAsync(Http, RequestId, status, code, message, Cancellation, faults.GetBodyShape()).ConfigureAwait(false);
    }

    /// <summary><see cref="FaultSettings.AnswerDelayMs"/>: the request was handled; its answer is on its way back.</summary>
    private Task AnswerDelayAsync() => faults.AnswerDelayMs is > 0 and var delay ? Task.Delay(delay, Cancellation) : Task.CompletedTask;

    /// <summary>Records the request as dropped (status 0) and aborts the connection.</summary>
    public void Drop()
    {
        log.Complete(Slot, 0, dropped: true);
        Http.Abort();
    }

    public void MarkWhileExhausted() => log.MarkWhileExhausted(Slot);
}
