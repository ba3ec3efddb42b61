using System.Net;
using System.Net.Sockets;
using static IntercomSubscriptions.Engine.Tests.ScriptedHandler;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>
/// What a change's caller learns of its attempts (<see cref="CallDelivery"/>), and the two things a
/// change asks of a call (<see cref="CallOptions"/>): a step done once just before the first attempt
/// goes on the wire, and a token for attempts already on the wire, apart from the one that stops sending.
/// </summary>
public sealed class CallDeliveryTests
{
    private const string Contact = "63a07ddf05a32042dffac965";
    private static readonly string[] JournalThenTwoAttempts = { "journal", "sent", "sent" };

    private static Func<IntercomClient, IIntercomEventSink, CancellationToken, Task<SubscriptionTypeData>> Attach(CallOptions options) =>
        (client, events, ct) => client.AttachSubscriptionAsync(Contact, "108", "opt_in", events, ct, options);

    private static async Task<CallDelivery> DeliveryOfFailed(EngineHarness h, TimeSpan? horizon = null)
    {
        var options = new CallOptions();
        await Assert.ThrowsAsync<IntercomApiException>(() => h.Drive(Attach(options), horizon));
        return options.Delivery;
    }

    [Fact]
    public async Task A_change_Intercom_refused_was_not_applied()
    {
        using var h = new EngineHarness(Error(HttpStatusCode.NotFound, "not_found", "User Not Found", headers => headers.Add("X-Request-Id", "req-header-404")));
        var delivery = await DeliveryOfFailed(h);

        Assert.False(delivery.MayHaveApplied);
        Assert.Equal("req-header-404", delivery.RequestId);
    }

    [Fact]
    public async Task A_change_whose_attempts_all_got_5xx_may_have_been_applied()
    {
        using var h = new EngineHarness(Error(HttpStatusCode.BadGateway, "bad_gateway", "upstream down"));
        Assert.True((await DeliveryOfFailed(h)).MayHaveApplied);
    }

    [Fact]
    public async Task A_change_that_timed_out_or_lost_its_connection_may_have_been_applied_and_the_error_says_so()
    {
        using var timedOut = new EngineHarness(options => { options.Timeout = TimeSpan.FromSeconds(5); options.MaxRetries = 0; }, Hang());
        var options = new CallOptions();
        var error = await Assert.ThrowsAsync<IntercomApiException>(() => timedOut.Drive(Attach(options), TimeSpan.MaxValue));
        Assert.True(options.Delivery.MayHaveApplied);
        Assert.Contains("may have applied", error.Message);

        using var dropped = new EngineHarness(options => options.MaxRetries = 0, Drop());
        options = new CallOptions();
        error = await Assert.ThrowsAsync<IntercomApiException>(() => dropped.Drive(Attach(options)));
        Assert.True(options.Delivery.MayHaveApplied);
        Assert.Contains("lost the connection", error.Message);
    }

    [Fact]
    public async Task A_refused_connection_never_carried_the_change()
    {
        Step refused = (_, _) => Task.FromException<HttpResponseMessage>(
            new HttpRequestException("Connection refused (127.0.0.1:1)", new SocketException((int)SocketError.ConnectionRefused)));
        using var h = new EngineHarness(options => options.MaxRetries = 1, refused);
        var options = new CallOptions();

        var error = await Assert.ThrowsAsync<IntercomApiException>(() => h.Drive(Attach(options)));

        Assert.False(options.Delivery.MayHaveApplied);
        Assert.Contains("could not reach", error.Message);
        Assert.DoesNotContain("may have applied", error.Message);
    }

    [Fact]
    public async Task A_success_answer_the_call_cannot_use_may_have_applied_the_change()
    {
        using var h = new EngineHarness(Json(HttpStatusCode.OK, SubscriptionType("109")));
        var options = new CallOptions();

        var error = await Assert.ThrowsAsync<IntercomApiException>(() => h.Drive(Attach(options)));

        Assert.Equal(IntercomErrorKind.InvalidResponse, error.Kind);
        Assert.True(options.Delivery.MayHaveApplied);
    }

    [Fact]
    public async Task The_step_before_sending_runs_once_before_the_first_attempt_and_not_again_for_a_retry()
    {
        var order = new List<string>();
        Step answer(HttpStatusCode status, string json) => (request, ct) =>
        {
            lock (order) order.Add("sent");
            return Json(status, json)(request, ct);
        };
        using var h = new EngineHarness(
            answer(HttpStatusCode.ServiceUnavailable, """{"type":"error.list","errors":[{"code":"busy","message":"busy"}]}"""),
            answer(HttpStatusCode.OK, SubscriptionType("108")));
        var options = new CallOptions
        {
            BeforeFirstSend = () =>
            {
                lock (order) order.Add("journal");
                return Task.CompletedTask;
            },
        };

        await h.Drive(Attach(options));

        Assert.Equal(JournalThenTwoAttempts, order);
    }

    [Fact]
    public async Task When_the_step_before_sending_fails_nothing_is_sent_and_the_call_is_not_retried()
    {
        using var h = new EngineHarness(Json(HttpStatusCode.OK, SubscriptionType("108")));
        var options = new CallOptions { BeforeFirstSend = () => Task.FromException(new IOException("No space left on device")) };

        var failure = await Assert.ThrowsAsync<BeforeSendFailedException>(() => h.Drive(Attach(options)));

        Assert.IsType<IOException>(failure.InnerException);
        Assert.Empty(h.Handler.Sent);
        Assert.False(options.Delivery.MayHaveApplied);
    }

    [Fact]
    public async Task A_change_held_by_the_pacer_when_the_run_stops_is_not_sent_and_its_step_never_runs()
    {
        // The first answer spends the window: the second change waits for its reset, and is stopped there.
        using var h = new EngineHarness(Json(HttpStatusCode.OK, SubscriptionType("108"), RateLimit(2, 0, VirtualClock.Start + TimeSpan.FromSeconds(10))));
        await h.Drive(Attach(new CallOptions()));
        using var stop = new CancellationTokenSource();
        var stepRan = false;
        var options = new CallOptions { BeforeFirstSend = () => { stepRan = true; return Task.CompletedTask; }, OnTheWire = CancellationToken.None };

        var held = h.Client.AttachSubscriptionAsync(Contact, "108", "opt_in", h.Events, stop.Token, options);
        await Task.Delay(50);
        Assert.False(held.IsCompleted, "the pacer holds it until the window resets");
        stop.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held);
        Assert.False(stepRan);
        Assert.False(options.Delivery.MayHaveApplied);
        Assert.Single(h.Handler.Sent);
    }

    [Fact]
    public async Task A_stop_lets_an_answer_already_on_its_way_arrive_unless_the_wire_token_abandons_it()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Step slow = async (request, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return await Json(HttpStatusCode.OK, SubscriptionType("108"))(request, ct);
        };
        using var h = new EngineHarness(slow);
        using var stop = new CancellationTokenSource();
        using var abandon = new CancellationTokenSource();
        var options = new CallOptions { OnTheWire = abandon.Token };

        var call = h.Client.AttachSubscriptionAsync(Contact, "108", "opt_in", h.Events, stop.Token, options);
        SpinWait.SpinUntil(() => h.Handler.Sent.Count == 1, TimeSpan.FromSeconds(5));
        stop.Cancel();
        await Task.Delay(50);
        Assert.False(call.IsCompleted, "stopping the run does not cut off a request on the wire");
        release.SetResult();

        Assert.Equal("108", (await call).Id);

        // Abandoned on the wire: cancelled, and Intercom may have applied it.
        using var hanging = new EngineHarness(Hang());
        using var stop2 = new CancellationTokenSource();
        using var abandon2 = new CancellationTokenSource();
        var options2 = new CallOptions { OnTheWire = abandon2.Token };
        var call2 = hanging.Client.AttachSubscriptionAsync(Contact, "108", "opt_in", hanging.Events, stop2.Token, options2);
        SpinWait.SpinUntil(() => hanging.Handler.Sent.Count == 1, TimeSpan.FromSeconds(5));
        stop2.Cancel();
        abandon2.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call2);
        Assert.True(options2.Delivery.MayHaveApplied);
        Assert.Single(hanging.Handler.Sent); // a stopped call is not retried
    }

    [Fact]
    public async Task Without_a_wire_token_a_stop_cancels_the_request_on_the_wire_at_once()
    {
        using var h = new EngineHarness(Hang());
        using var stop = new CancellationTokenSource();
        var options = new CallOptions();

        var call = h.Client.AttachSubscriptionAsync(Contact, "108", "opt_in", h.Events, stop.Token, options);
        SpinWait.SpinUntil(() => h.Handler.Sent.Count == 1, TimeSpan.FromSeconds(5));
        stop.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(options.Delivery.MayHaveApplied);
    }
}
