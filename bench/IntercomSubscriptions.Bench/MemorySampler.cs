using System.Runtime;

namespace IntercomSubscriptions.Bench;

/// <summary>
/// Samples the managed heap and the process's working set on a background timer while a run goes on
/// and keeps the peaks. GC.GetTotalMemory(false) counts everything allocated and not yet collected
/// (garbage included), so its peak is what the process really needed at worst; GC info's heap size is
/// the size at the last collection; the working set is what a host such as Azure Automation counts.
/// </summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly Timer _timer;
    private long _peakTotalMemory;
    private long _peakHeapSize;
    private long _peakWorkingSet;
    private int _samples;

    private MemorySampler(TimeSpan interval)
    {
        _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, interval);
    }

    public long PeakTotalMemory => Interlocked.Read(ref _peakTotalMemory);

    public long PeakHeapSize => Interlocked.Read(ref _peakHeapSize);

    public long PeakWorkingSet => Interlocked.Read(ref _peakWorkingSet);

    public int Samples => Volatile.Read(ref _samples);

    public static MemorySampler Start(TimeSpan interval) => new(interval);

    /// <summary>A full, compacting, blocking collection (finalizers included), so each run starts from the same floor.</summary>
    public static long CollectFully()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(false);
    }

    /// <summary>Stops sampling after one last sample.</summary>
    public void Stop()
    {
        _timer.Change(Timeout.Infinite, Timeout.Infinite);
        Sample();
    }

    private void Sample()
    {
        Raise(ref _peakTotalMemory, GC.GetTotalMemory(false));
        Raise(ref _peakHeapSize, GC.GetGCMemoryInfo().HeapSizeBytes);
        Raise(ref _peakWorkingSet, Environment.WorkingSet);
        Interlocked.Increment(ref _samples);
    }

    private static void Raise(ref long peak, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref peak)))
        {
            if (Interlocked.CompareExchange(ref peak, value, seen) == seen) return;
        }
    }

    public void Dispose() => _timer.Dispose();
}
