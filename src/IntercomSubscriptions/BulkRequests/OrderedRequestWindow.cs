namespace IntercomSubscriptions;

/// <summary>
/// Keeps up to <c>throttleLimit</c> records in progress while input streams in, and hands results
/// back in input order. A record that waits for its retry holds only its own slot: the others go on
/// and their results wait in the reorder buffer behind it. At most <c>maxBuffered</c> records wait
/// (finished or not) for the ones before them, so the window's own memory does not grow with the input.
/// Every method runs on the pipeline thread; only the requests themselves run elsewhere. While it
/// waits it calls <c>pump</c> (the owner's stream writes) and nothing else of its owner.
/// </summary>
internal sealed class OrderedRequestWindow<TResult> : IDisposable
{
    private sealed record Pending(Task<TResult> Task, Action<TResult> OnResult, Action<Exception> OnError);

    /// <summary>
    /// What one buffered record may cost, generously: the entry, its task and result (a
    /// ContactSubscription of a few hundred bytes), and the input record its error would name (a
    /// CSV row as a PSObject, typically 0.5-2 KB).
    /// </summary>
    internal const int BytesPerBufferedRecord = 4 * 1024;

    /// <summary>
    /// The reorder buffer's bound: 4,096 records, about 16 MB at <see cref="BytesPerBufferedRecord"/>.
    /// At Intercom's 166 requests a second that is 24 s of results behind one slow record (a retry
    /// backs off 0.5-4 s), so one record's retry does not stall the others.
    /// </summary>
    internal const int DefaultMaxBuffered = 16 * 1024 * 1024 / BytesPerBufferedRecord;

    private readonly Queue<Pending> _pending = new();
    private readonly SemaphoreSlim _slots;
    private readonly int _maxBuffered;
    private readonly Action _pump;
    private readonly CancellationToken _cancellationToken;

    /// <param name="pump">Runs on the pipeline thread each time the window wakes while waiting.</param>
    /// <param name="cancellationToken">Cancels the requests; once cancelled, the window throws PipelineStoppedException.</param>
    public OrderedRequestWindow(int throttleLimit, Action pump, CancellationToken cancellationToken, int? maxBuffered = null)
    {
        _pump = pump;
        _cancellationToken = cancellationToken;
        _slots = new SemaphoreSlim(throttleLimit, throttleLimit);
        // Sized by what a buffered record costs, not by the concurrency: a slow head (a retry
        // backing off) must not stop the others (see DefaultMaxBuffered).
        _maxBuffered = maxBuffered ?? DefaultMaxBuffered;
    }

    /// <summary>Records handed back so far (results and errors).</summary>
    public long Completed { get; private set; }

    /// <summary>Records submitted and not yet handed back.</summary>
    public int Waiting => _pending.Count;

    /// <summary>Starts <paramref name="start"/> as soon as a slot is free; results come back in order. Returns the started task.</summary>
    public Task<TResult> Submit(Func<CancellationToken, Task<TResult>> start, Action<TResult> onResult, Action<Exception> onError)
    {
        // Write what the requests reported (a debug line each) now: when slots are free and the
        // head is done the loops below never wait, so nothing else would drain the queue until
        // the end, and it would grow with the input.
        _pump();
        HandBackFinished();
        while (_pending.Count >= _maxBuffered)
        {
            PipelineWait.Until(_pending.Peek().Task, _pump);
            HandBackFinished();
        }
        try
        {
            while (!_slots.Wait(PipelineWait.PumpInterval, _cancellationToken))
            {
                _pump();
                HandBackFinished();
            }
        }
        catch (OperationCanceledException)
        {
            PipelineWait.ThrowIfStopping(_cancellationToken);
            throw;
        }
        var task = RunAsync(start);
        _pending.Enqueue(new Pending(task, onResult, onError));
        return task;
    }

    /// <summary>Waits for everything submitted and hands it back, in order.</summary>
    public void Drain()
    {
        while (_pending.Count > 0)
        {
            PipelineWait.Until(_pending.Peek().Task, _pump);
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
        // A stopped pipeline takes no more writes: what finished is left to the owner to settle.
        PipelineWait.ThrowIfStopping(_cancellationToken);
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
                PipelineWait.ThrowIfStopping(_cancellationToken);
            head.OnError(exception);
        }
    }

    public void Dispose() => _slots.Dispose();
}
