using System.Net;
using System.Net.Http.Headers;
using static IntercomSubscriptions.Engine.Tests.ScriptedHandler;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>
/// Issue 9's throttling cases, driven through the scripted handler and the virtual clock: waits of
/// minutes run in milliseconds, and the clock tells when each request went out.
/// </summary>
public sealed class ThrottlingTests
{
    private const string Contact = "63a07ddf05a32042dffac965";

    private static readonly Func<IntercomClient, IIntercomEventSink, CancellationToken, Task<SubscriptionTypeData>> Attach =
        (client, events, ct) => client.AttachSubscriptionAsync(Contact, "108", "opt_in", events, ct);

    private static ScriptedHandler.Step Ok() => Json(HttpStatusCode.OK, SubscriptionType("108"));

    private static Action<HttpResponseHeaders> Window(long limit, long remaining, TimeSpan resetIn) => headers =>
    {
        headers.Add("X-RateLimit-Limit", limit.ToString());
        headers.Add("X-RateLimit-Remaining", remaining.ToString());
        headers.Add("X-RateLimit-Reset", (VirtualClock.Start + resetIn).ToUnixTimeSeconds().ToString());
    };

    [Fact]
    public async Task Waiting_for_the_rate_limit_is_not_counted_against_the_attempt_timeout()
    {
        // The first answer spends the window; the next request must wait 20 s for it, with a 5 s timeout.
        using var h = new EngineHarness(options => { options.Timeout = TimeSpan.FromSeconds(5); options.MaxRetries = 0; },
            Json(HttpStatusCode.OK, SubscriptionType("108"), Window(1, 0, TimeSpan.FromSeconds(20))), Ok());
        await h.Drive(Attach, horizon: TimeSpan.MaxValue, settle: 100);
        var result = await h.Drive(Attach, horizon: TimeSpan.MaxValue, settle: 100);

        Assert.Equal("108", result.Id);
        Assert.Equal(2, h.Handler.Sent.Count);
        Assert.True(h.Handler.Sent[1].At >= VirtualClock.Start + TimeSpan.FromSeconds(20));
    }
}
