using System.Management.Automation;

namespace IntercomSubscriptions.UnitTests;

public sealed class OrderedRequestWindowTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public void Results_come_back_in_input_order_when_requests_finish_in_reverse()
    {
        var gates = Enumerable.Range(0, 5).Select(_ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var handedBack = new List<int>();
        using var window = new OrderedRequestWindow<int>(8, () => { }, CancellationToken.None);
        for (var i = 0; i < gates.Length; i++)
        {
            var gate = gates[i];
            window.Submit(_ => gate.Task, handedBack.Add, e => throw e);
        }
        for (var i = gates.Length - 1; i >= 0; i--)
            gates[i].SetResult(i);
        window.Drain();

        Assert.Equal([0, 1, 2, 3, 4], handedBack);
        Assert.Equal(5, window.Completed);
    }

    [Fact]
    public void Never_more_requests_in_flight_than_the_throttle_limit()
    {
        var inFlight = 0;
        var maxInFlight = 0;
        var handedBack = new List<int>();
        using var window = new OrderedRequestWindow<int>(3, () => { }, CancellationToken.None);
        for (var i = 0; i < 20; i++)
        {
            var n = i;
            window.Submit(async cancellationToken =>
            {
                var now = Interlocked.Increment(ref inFlight);
                lock (handedBack) maxInFlight = Math.Max(maxInFlight, now);
                await Task.Delay(5, cancellationToken);
                Interlocked.Decrement(ref inFlight);
                return n;
            }, handedBack.Add, e => throw e);
        }
        window.Drain();

        Assert.Equal(Enumerable.Range(0, 20), handedBack);
        Assert.InRange(maxInFlight, 1, 3);
    }

    [Fact]
    public void Submit_waits_while_maxBuffered_records_are_queued_behind_an_unfinished_head()
    {
        var head = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pumps = 0;
        using var window = new OrderedRequestWindow<int>(4, () =>
        {
            // Each Submit pumps once on entry (three here); a fourth pump happens only if the third
            // Submit waits for the unfinished head, and only that finishes it.
            if (++pumps > 3) head.TrySetResult(0);
        }, CancellationToken.None, maxBuffered: 2);
        var handedBack = new List<int>();
        window.Submit(_ => head.Task, handedBack.Add, e => throw e);
        window.Submit(_ => Task.FromResult(1), handedBack.Add, e => throw e);
        Assert.Equal(2, window.Waiting);

        window.Submit(_ => Task.FromResult(2), handedBack.Add, e => throw e);

        Assert.True(head.Task.IsCompleted);
        Assert.Equal([0, 1], handedBack);
        window.Drain();
        Assert.Equal([0, 1, 2], handedBack);
    }

    [Fact]
    public void A_failed_request_reaches_onError_in_its_place_and_the_rest_go_on()
    {
        var events = new List<string>();
        using var window = new OrderedRequestWindow<int>(2, () => { }, CancellationToken.None);
        window.Submit(_ => Task.FromResult(1), r => events.Add($"ok {r}"), e => events.Add("error " + e.Message));
        window.Submit(_ => Task.FromException<int>(new InvalidOperationException("boom")), r => events.Add($"ok {r}"), e => events.Add("error " + e.Message));
        window.Submit(_ => throw new ArgumentException("sync"), r => events.Add($"ok {r}"), e => events.Add("error " + e.Message));
        window.Submit(_ => Task.FromResult(4), r => events.Add($"ok {r}"), e => events.Add("error " + e.Message));
        window.Drain();

        Assert.Equal(["ok 1", "error boom", "error sync", "ok 4"], events);
        Assert.Equal(4, window.Completed);
    }

    [Fact]
    public void Cancellation_stops_the_pipeline_and_cancels_requests_in_flight()
    {
        using var cancellation = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requestToken = CancellationToken.None;
        var handedBack = new List<string>();
        using var window = new OrderedRequestWindow<int>(1, () =>
        {
            // Ctrl+C arrives while the window waits for the one busy slot.
            if (started.Task.IsCompleted) cancellation.Cancel();
        }, cancellation.Token);
        window.Submit(async token =>
        {
            requestToken = token;
            started.SetResult();
            await Task.Delay(Bound, token);
            return 0;
        }, _ => handedBack.Add("result"), _ => handedBack.Add("error"));
        // The request runs synchronously up to its first await, inside Submit.
        Assert.True(started.Task.IsCompleted);

        void SubmitAnother() => window.Submit(_ => Task.FromResult(1), _ => handedBack.Add("result"), _ => handedBack.Add("error"));
        Assert.Throws<PipelineStoppedException>(SubmitAnother);
        Assert.True(requestToken.IsCancellationRequested);
        // Once stopped, nothing is handed back: a cancelled request is neither a result nor a
        // record's error, and what finished is left to the window's owner to settle.
        Assert.Throws<PipelineStoppedException>(window.Drain);
        Assert.Empty(handedBack);
    }

    [Fact]
    public void Pump_runs_on_the_waiting_thread_while_a_request_is_still_running()
    {
        var request = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pumpThreads = new List<int>();
        // Only pumping can finish the request; the delay is a bound in case the window never pumps while waiting.
        using var fallback = new CancellationTokenSource(Bound);
        fallback.Token.Register(() => request.TrySetResult(-1));
        using var window = new OrderedRequestWindow<int>(1, () =>
        {
            pumpThreads.Add(Environment.CurrentManagedThreadId);
            if (pumpThreads.Count == 3) request.TrySetResult(1);
        }, CancellationToken.None);
        var results = new List<int>();
        window.Submit(_ => request.Task, results.Add, e => throw e);
        window.Drain();

        Assert.Equal([1], results);
        Assert.All(pumpThreads, id => Assert.Equal(Environment.CurrentManagedThreadId, id));
    }
}
