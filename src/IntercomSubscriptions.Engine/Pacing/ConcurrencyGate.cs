namespace IntercomSubscriptions.Engine;

/// <summary>
/// Lets at most <see cref="AdaptiveConcurrencyLimit.Limit"/> requests of a connection onto the wire
/// at once; the others wait here, first come first served. The limit moves while requests wait: a
/// release or a raised limit lets the next ones go. A request backing off before its retry holds
/// no place here.
/// </summary>
internal sealed class ConcurrencyGate
{
    private readonly object _gate = new();
    private readonly LinkedList<TaskCompletionSource<IDisposable>> _waiters = new();
    private readonly AdaptiveConcurrencyLimit _limit;
    private int _inUse;

    public ConcurrencyGate(AdaptiveConcurrencyLimit limit) => _limit = limit;

    /// <summary>Requests holding a place now.</summary>
    public int InUse { get { lock (_gate) return _inUse; } }

    /// <summary>Requests waiting for a place.</summary>
    public int Waiting { get { lock (_gate) return _waiters.Count; } }

    /// <summary>Waits for a place; disposing the returned place gives it back.</summary>
    public Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        LinkedListNode<TaskCompletionSource<IDisposable>> node;
        lock (_gate)
        {
            if (_waiters.Count == 0 && _inUse < _limit.Limit)
            {
                _inUse++;
                return Task.FromResult<IDisposable>(new Place(this));
            }
            node = _waiters.AddLast(new TaskCompletionSource<IDisposable>(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() => CancelWait(node, cancellationToken));
            node.Value.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        return node.Value.Task;
    }

    private void CancelWait(LinkedListNode<TaskCompletionSource<IDisposable>> node, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // Given a place already: the awaiter goes on and gives it back as usual.
            if (node.List is null) return;
            _waiters.Remove(node);
        }
        node.Value.TrySetCanceled(cancellationToken);
    }

    private void Release()
    {
        lock (_gate)
        {
            _inUse = Math.Max(0, _inUse - 1);
            LetWaitersIn();
        }
    }

    /// <summary>The limit may have grown (a new measurement): let waiters in up to it.</summary>
    public void LimitChanged()
    {
        lock (_gate) LetWaitersIn();
    }

    private void LetWaitersIn()
    {
        var limit = _limit.Limit;
        while (_waiters.First is { } first && _inUse < limit)
        {
            _waiters.RemoveFirst();
            _inUse++;
            first.Value.TrySetResult(new Place(this));
        }
    }

    /// <summary>One request's place at the gate, given back once.</summary>
    private sealed class Place : IDisposable
    {
        private ConcurrencyGate? _gate;

        public Place(ConcurrencyGate gate) => _gate = gate;

        public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
    }
}
