using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// How the pipeline thread waits: in short sleeps, doing the owner's pump work (writing engine
/// messages, progress) between them, because only that thread may write to PowerShell's streams.
/// </summary>
internal static class PipelineWait
{
    /// <summary>How often the pipeline thread wakes while waiting.</summary>
    internal static readonly TimeSpan PumpInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Blocks until the task completes, pumping meanwhile and once after, without observing its outcome.</summary>
    public static void Until(Task task, Action pump)
    {
        while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(PumpInterval))
            pump();
        pump();
    }

    /// <summary>What a stopped pipeline throws: PowerShell ends the command quietly on it.</summary>
    public static void ThrowIfStopping(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            throw new PipelineStoppedException();
    }
}
