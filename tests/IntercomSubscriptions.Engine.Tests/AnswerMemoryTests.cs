namespace IntercomSubscriptions.Engine.Tests;

/// <summary>Large answers read at once must not each hold up to the cap in memory.</summary>
public sealed class AnswerMemoryTests
{
    [Fact]
    public async Task Concurrent_large_answers_are_buffered_one_at_a_time()
    {
        const int calls = 8;
        const int answerBytes = 2 * 1024 * 1024;
        using var together = new CountdownEvent(calls);
        var step = new ScriptedHandler.Step((_, _) => Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK)
        {
            Content = new StreamContent(new GeneratedBody(answerBytes, prefix: """{"type":"list","data":[]}""", together: together)),
        }));
        using var h = new EngineHarness(options => options.MaxResponseBytes = 4 * 1024 * 1024, step);

        var results = await Task.WhenAll(Enumerable.Range(0, calls).Select(_ =>
            Task.Run(() => h.Client.ListSubscriptionTypesAsync(h.Events, CancellationToken.None))));

        Assert.All(results, Assert.Empty);
        var bound = (calls - 1) * AnswerMemoryGate.SmallAnswerBytes + answerBytes + 64 * 1024;
        Assert.InRange(h.Client.Answers.PeakBufferedBytes, answerBytes, bound);
    }
}
