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
    private readonly LinkedList<TaskCompletionSource<bool>> _waiters = new();
    private readonly AdaptiveConcurrencyLimit _limit;
    private int _inUse;

    public ConcurrencyGate(AdaptiveConcurrencyLimit limit) => _limit = limit;

    /// <summary>Requests holding a place now.</summary>
    public int InUse { get { lock (_gate) return _inUse; } }

    /// <summary>Requests waiting for a place.</summary>
    public int Waiting { get { lock (_gate) return _waiters.Count; } }

    /// <summary>Waits for a place; give it back with <see cref="Release"/>.</summary>
    public Task EnterAsync(CancellationToken cancellationToken)
    {
        LinkedListNode<TaskCompletionSource<bool>> node;
        lock (_gate)
        {
            if (_waiters.Count == 0 && _inUse < _limit.Limit)
            {
                _inUse++;
                return Task.CompletedTask;
            }
            node = _waiters.AddLast(new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() =>
            {
                lock (_gate)
                {
                    // Given a place already: the awaiter goes on and releases it as usual.
                    if (node.List is null) return;
                    _waiters.Remove(node);
                }
                node.Value.TrySetCanceled(cancellationToken);
            });
            node.Value.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }
        return node.Value.Task;
    }

    public void Release()
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
            first.Value.TrySetResult(true);
        }
    }
}
