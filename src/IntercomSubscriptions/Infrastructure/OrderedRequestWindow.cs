namespace IntercomSubscriptions;

/// <summary>
/// Keeps up to <c>throttleLimit</c> requests in flight while input streams in, and hands results
/// back in input order. Memory is bounded by the window, not the input: at most
/// <c>maxBuffered</c> records wait (finished or not) for the ones before them.
/// Every method runs on the pipeline thread; only the requests themselves run elsewhere.
/// </summary>
internal sealed class OrderedRequestWindow<TResult> : IDisposable
{
    private sealed record Pending(Task<TResult> Task, Action<TResult> OnResult, Action<Exception> OnError);

    private readonly Queue<Pending> _pending = new();
    private readonly SemaphoreSlim _slots;
    private readonly int _maxBuffered;
    private readonly IntercomCmdlet _owner;
    private readonly CancellationToken _cancellationToken;

    public OrderedRequestWindow(IntercomCmdlet owner, int throttleLimit, CancellationToken cancellationToken)
    {
        _owner = owner;
        _cancellationToken = cancellationToken;
        _slots = new SemaphoreSlim(throttleLimit, throttleLimit);
        // Room for a slow head (a retry backing off) without stalling the others for long.
        _maxBuffered = Math.Max(64, throttleLimit * 16);
    }

    /// <summary>Records handed back so far (results and errors).</summary>
    public long Completed { get; private set; }

    /// <summary>Starts <paramref name="start"/> as soon as a slot is free; results come back in order.</summary>
    public void Submit(Func<CancellationToken, Task<TResult>> start, Action<TResult> onResult, Action<Exception> onError)
    {
        // Write what the requests reported (a debug line each) now: when slots are free and the
        // head is done the loops below never wait, so nothing else would drain the queue until
        // the end, and it would grow with the input.
        _owner.Pump();
        HandBackFinished();
        while (_pending.Count >= _maxBuffered)
        {
            _owner.WaitPumping(_pending.Peek().Task);
            HandBackFinished();
        }
        try
        {
            while (!_slots.Wait(IntercomCmdlet.PumpInterval, _cancellationToken))
            {
                _owner.Pump();
                HandBackFinished();
            }
        }
        catch (OperationCanceledException)
        {
            _owner.ThrowIfStopping();
            throw;
        }
        _pending.Enqueue(new Pending(RunAsync(start), onResult, onError));
    }

    /// <summary>Waits for everything submitted and hands it back, in order.</summary>
    public void Drain()
    {
        while (_pending.Count > 0)
        {
            _owner.WaitPumping(_pending.Peek().Task);
            HandBackFinished();
        }
    }

    private async Task<TResult> RunAsync(Func<CancellationToken, Task<TResult>> start)
    {
        try
        {
            _cancellationToken.ThrowIfCancellationRequested();
            return await start(_cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    private void HandBackFinished()
    {
        while (_pending.Count > 0 && _pending.Peek().Task.IsCompleted)
        {
            var head = _pending.Dequeue();
            Completed++;
            if (head.Task.Status == TaskStatus.RanToCompletion)
            {
                head.OnResult(head.Task.Result);
                continue;
            }
            var exception = head.Task.Exception?.InnerExceptions.Count == 1
                ? head.Task.Exception.InnerException!
                : (Exception?)head.Task.Exception ?? new OperationCanceledException();
            if (exception is OperationCanceledException)
                _owner.ThrowIfStopping();
            head.OnError(exception);
        }
    }

    public void Dispose() => _slots.Dispose();
}
