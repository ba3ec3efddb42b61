namespace IntercomSubscriptions.Engine;

/// <summary>
/// Appends lines to a journal file. A line written with <see cref="AppendDurableAsync"/> (a change's
/// intent) is on the disk, flushed through the operating system's cache, before its task completes;
/// a line written with <see cref="Append"/> (an outcome) is handed to the operating system soon after,
/// which a killed process does not lose (a power cut may: then the change reads as in doubt, which
/// is the safe side). Thread-safe: the requests of a bulk run write from many threads.
/// </summary>
/// <remarks>
/// Group commit, as databases do it for their write-ahead logs: one writer at a time takes every line
/// waiting, writes them in one go and flushes once, and every line of that batch is then durable. The
/// requests a pacer lets go together (a refilled window) thus share one flush to the disk instead of
/// queueing for one each. The first failure (a full disk) fails that batch and every later append at
/// once with <see cref="JournalWriteException"/>: nothing is written after a line that was lost.
/// </remarks>
internal sealed class JournalWriter : IDisposable
{
    private readonly object _gate = new();
    private readonly Stream _stream;
    private readonly Action<Stream, bool> _flush;
    private MemoryStream _pending = new();
    private MemoryStream _spare = new();
    private TaskCompletionSource<bool> _batch = NewBatch();
    private bool _batchIsDurable;
    private Task _flushing = Task.CompletedTask;
    private bool _flushRunning;
    private JournalWriteException? _failure;
    private bool _disposed;

    /// <summary>Opens (or creates, for its owner only) the journal at <paramref name="path"/> for appending.</summary>
    public static JournalWriter Open(string path, out bool othersMayRead)
    {
        FileStream stream;
        try
        {
            stream = OwnerOnlyFile.OpenForAppend(path, out othersMayRead);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            throw new JournalWriteException(path, ex);
        }
        return new JournalWriter(path, stream, static (s, toDisk) => ((FileStream)s).Flush(toDisk));
    }

    /// <param name="flush">Flushes the stream, through to the disk when its second argument is true.</param>
    internal JournalWriter(string path, Stream stream, Action<Stream, bool> flush)
    {
        Path = path;
        _stream = stream;
        _flush = flush;
    }

    public string Path { get; }

    /// <summary>Batches written so far, and how many of them were flushed to the disk (for tests and the bench).</summary>
    internal (long Batches, long DurableFlushes) Flushes { get; private set; }

    /// <summary>Appends <paramref name="line"/> (one line, its newline included) and completes once it is on the disk.</summary>
    public Task AppendDurableAsync(byte[] line) => Enqueue(line, durable: true);

    /// <summary>Appends <paramref name="line"/>, handed to the operating system soon; a failure surfaces on the next durable append.</summary>
    public void Append(byte[] line) => _ = Enqueue(line, durable: false);

    /// <summary>Waits for everything appended, flushes it to the disk, and closes the file. Throws when the journal failed.</summary>
    public void Close()
    {
        try
        {
            // An empty durable append: the batch it joins (or a batch of its own) ends with a flush to the disk.
            Enqueue(Array.Empty<byte>(), durable: true).GetAwaiter().GetResult();
        }
        finally
        {
            Dispose();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        try
        {
            _flushing.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // The failure is the batch's to report.
        }
        try
        {
            _stream.Dispose();
        }
        catch (Exception ex) when (_failure is not null && ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            // The journal failed already, and that failure was reported: closing it fails the same way.
        }
    }

    private Task Enqueue(byte[] line, bool durable)
    {
        lock (_gate)
        {
            if (_failure is { } failure) return Task.FromException(failure);
            if (_disposed) return Task.FromException(new JournalWriteException(Path, new ObjectDisposedException(nameof(JournalWriter))));
            _pending.Write(line, 0, line.Length);
            _batchIsDurable |= durable;
            var batch = _batch.Task;
            if (!_flushRunning)
            {
                _flushRunning = true;
                _flushing = Task.Run(FlushLoop);
            }
            return batch;
        }
    }

    /// <summary>Writes what is waiting, batch after batch, until nothing is; one flush per batch.</summary>
    private void FlushLoop()
    {
        while (true)
        {
            MemoryStream lines;
            TaskCompletionSource<bool> batch;
            bool durable;
            lock (_gate)
            {
                if (_pending.Length == 0 && !_batchIsDurable)
                {
                    _flushRunning = false;
                    return;
                }
                lines = _pending;
                _pending = _spare;
                _spare = lines;
                batch = _batch;
                _batch = NewBatch();
                durable = _batchIsDurable;
                _batchIsDurable = false;
            }
            try
            {
                _stream.Write(lines.GetBuffer(), 0, (int)lines.Length);
                _flush(_stream, durable);
                Flushes = (Flushes.Batches + 1, Flushes.DurableFlushes + (durable ? 1 : 0));
            }
            catch (Exception ex)
            {
                var failure = ex as JournalWriteException ?? new JournalWriteException(Path, ex);
                TaskCompletionSource<bool> next;
                lock (_gate)
                {
                    _failure = failure;
                    _flushRunning = false;
                    next = _batch;
                    _pending.SetLength(0);
                }
                batch.TrySetException(failure);
                next.TrySetException(failure);
                return;
            }
            finally
            {
                lines.SetLength(0);
            }
            batch.TrySetResult(true);
        }
    }

    private static TaskCompletionSource<bool> NewBatch() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
