using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// The base of every cmdlet here: cancellation (StopProcessing, i.e. Ctrl+C, cancels all HTTP work
/// and waits), the one sync-over-async helper, and writing what the engine reported on the pipeline
/// thread while waiting.
/// </summary>
public abstract class IntercomCmdlet : PSCmdlet, IDisposable
{
    // How often the pipeline thread wakes while waiting, to write verbose/debug/progress.
    internal static readonly TimeSpan PumpInterval = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _cancellation = new();

    internal CmdletEventQueue EngineEvents { get; } = new();

    protected CancellationToken CancellationToken => _cancellation.Token;

    protected override void BeginProcessing()
    {
        EngineEvents.VerboseWanted = Wants("Verbose", "VerbosePreference");
        EngineEvents.DebugWanted = Wants("Debug", "DebugPreference");
        base.BeginProcessing();
    }

    protected override void StopProcessing() => _cancellation.Cancel();

    private bool Wants(string switchName, string preferenceVariable)
    {
        if (MyInvocation.BoundParameters.TryGetValue(switchName, out var given))
            return given is SwitchParameter flag ? flag.IsPresent : given is true;
        return GetVariableValue(preferenceVariable) is ActionPreference preference
            && preference is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);
    }

    /// <summary>Waits for <paramref name="task"/> on the pipeline thread, writing engine messages meanwhile.</summary>
    internal T Await<T>(Task<T> task)
    {
        WaitPumping(task);
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Blocks until the task completes (or the pipeline stops), without observing its outcome.</summary>
    internal void WaitPumping(Task task)
    {
        while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(PumpInterval))
            Pump();
        Pump();
    }

    /// <summary>Writes what accumulated; called on the pipeline thread only.</summary>
    internal virtual void Pump() => EngineEvents.WriteTo(this);

    internal void ThrowIfStopping()
    {
        if (CancellationToken.IsCancellationRequested)
            throw new PipelineStoppedException();
    }

    public void Dispose()
    {
        _cancellation.Cancel();
        _cancellation.Dispose();
        GC.SuppressFinalize(this);
    }
}
