namespace IntercomSubscriptions.Engine;

/// <summary>
/// Bounds the memory that answers take across all of a connection's calls in flight. An answer holds
/// bytes from its first read until its result has been read: the read-ahead window and the JSON kept
/// of it (<see cref="StreamingJsonFilter"/>), not the answer's own size, so a padded answer of any
/// size holds about 70 KiB. Intercom's answers keep a few kilobytes; one that would hold more than
/// <see cref="SmallAnswerBytes"/> waits first for the one large-answer slot and keeps it until its
/// caller has read it. So at most <see cref="MostHeldBytes"/> are held at once: (A − 1) ×
/// SmallAnswerBytes + MaxResponseBytes + 128 KiB for A answers in flight, not A × MaxResponseBytes.
/// </summary>
internal sealed class AnswerMemoryGate : IDisposable
{
    public const int SmallAnswerBytes = 256 * 1024;

    /// <summary>What the large answer holds beyond MaxResponseBytes of kept JSON: its window, and its buffer's room for one more token.</summary>
    public const int LargeAnswerExtraBytes = 2 * StreamingJsonFilter.MaxWindowBytes;

    /// <summary>
    /// The most bytes answers hold at once with <paramref name="answersInFlight"/> calls in flight on a
    /// connection whose answers may be <paramref name="maxResponseBytes"/> long (at least 1 MiB): the
    /// large answer's kept JSON (no longer than the bytes read) and extra, and the others' small shares.
    /// </summary>
    public static long MostHeldBytes(int answersInFlight, int maxResponseBytes) =>
        ((long)Math.Max(0, answersInFlight - 1) * SmallAnswerBytes) + Math.Max(maxResponseBytes, PooledByteBuffer.PooledBytes) + LargeAnswerExtraBytes;

    private readonly SemaphoreSlim _largeAnswer = new(1, 1);
    private long _buffered;
    private long _peak;

    /// <summary>The most bytes answers ever held at once (for tests and the bench).</summary>
    public long PeakBufferedBytes => Interlocked.Read(ref _peak);

    /// <summary>The bytes answers hold now.</summary>
    public long BufferedBytes => Interlocked.Read(ref _buffered);

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

    /// <summary>The bytes one answer holds, from its first read until its result is read; disposing it gives them back.</summary>
    internal sealed class BufferedAnswer : IDisposable
    {
        private readonly AnswerMemoryGate _gate;
        private long _counted;
        private bool _holdsLargeSlot;
        private int _disposed;

        public BufferedAnswer(AnswerMemoryGate gate) => _gate = gate;

        /// <summary>Before the answer may grow to <paramref name="bytes"/>: waits for the large-answer slot if that is more than a small answer's share.</summary>
        public async Task MayHoldAsync(long bytes, CancellationToken cancellationToken)
        {
            if (_holdsLargeSlot || bytes <= SmallAnswerBytes) return;
            await _gate._largeAnswer.WaitAsync(cancellationToken).ConfigureAwait(false);
            _holdsLargeSlot = true;
        }

        /// <summary>The answer holds <paramref name="bytes"/> now.</summary>
        public void Holds(long bytes)
        {
            if (Volatile.Read(ref _disposed) != 0) return;
            _gate.Count(bytes - _counted);
            _counted = bytes;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            _gate.Count(-_counted);
            if (_holdsLargeSlot) _gate.ReleaseLargeSlot();
        }
    }
}
