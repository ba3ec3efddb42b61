namespace FakeIntercom.Pipeline;

/// <summary>Stage 1: every request waits <see cref="FaultSettings.LatencyMs"/> first, like a distant API.</summary>
internal sealed class LatencyStage(FaultSettings faults) : IRequestStage
{
    public async Task<bool> TryAnswerAsync(FakeExchange exchange)
    {
        var latency = faults.LatencyMs;
        if (latency > 0) await Task.Delay(latency, exchange.Cancellation).ConfigureAwait(false);
        return false;
    }
}
