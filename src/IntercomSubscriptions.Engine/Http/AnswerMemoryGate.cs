namespace IntercomSubscriptions.Engine;

/// <summary>
/// Bounds the memory that answers being read take across all of a connection's calls in flight.
/// Intercom's answers are a few kilobytes; an answer that grows past <see cref="SmallAnswerBytes"/>
/// is read only while it holds the one large-answer slot, until its caller has read it. So at most
/// (calls in flight × SmallAnswerBytes) + one MaxResponseBytes answer is buffered at once, not
/// (calls in flight × MaxResponseBytes).
/// </summary>
internal sealed class AnswerMemoryGate : IDisposable
{
    public const int SmallAnswerBytes = 256 * 1024;

    private readonly SemaphoreSlim _largeAnswer = new(1, 1);
    private long _buffered;
    private long _peak;

    /// <summary>The most bytes ever buffered at once across answers (for tests and the bench).</summary>
    public long PeakBufferedBytes => Interlocked.Read(ref _peak);

    public BufferedAnswer Begin() => new(this);

    /// <summary>With the connection: an answer still held gives its slot back quietly afterwards.</summary>
    public void Dispose() => _largeAnswer.Dispose();

    private void ReleaseLargeSlot()
    {
        try
        {
            _largeAnswer.Release();
        }
        catch (ObjectDisposedException)
        {
            // The connection closed while this answer was held: nothing waits for the slot any more.
        }
    }

    private void Count(long bytes)
    {
        var now = Interlocked.Add(ref _buffered, bytes);
        long peak;
        while (now > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }
    }

    /// <summary>The bytes of one answer as they are read; disposing it gives their share of the budget back.</summary>
    internal sealed class BufferedAnswer : IDisposable
    {
        private readonly AnswerMemoryGate _gate;
        private long _counted;
        private bool _holdsLargeSlot;
        private int _disposed;

        public BufferedAnswer(AnswerMemoryGate gate) => _gate = gate;

        /// <summary>Counts <paramref name="bytes"/> more, first waiting for the large-answer slot if the answer outgrows a small one.</summary>
        public async Task GrowAsync(long total, int bytes, CancellationToken cancellationToken)
        {
            if (!_holdsLargeSlot && total + bytes > SmallAnswerBytes)
            {
                await _gate._largeAnswer.WaitAsync(cancellationToken).ConfigureAwait(false);
                _holdsLargeSlot = true;
            }
            _counted += bytes;
            _gate.Count(bytes);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            _gate.Count(-_counted);
            if (_holdsLargeSlot) _gate.ReleaseLargeSlot();
        }
    }
}
