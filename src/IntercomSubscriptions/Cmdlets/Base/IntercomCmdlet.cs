using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// The base of the cmdlets that wait on the engine (Connect-Intercom and every cmdlet that talks to
/// Intercom; Disconnect-Intercom and Get-IntercomConnection need none of this): cancellation
/// (StopProcessing, i.e. Ctrl+C, cancels all HTTP work), the one sync-over-async helper, and writing
/// what the engine reported on the pipeline thread while waiting. It is also the
/// <see cref="IPipelineOutput"/> its collaborators write through: Cmdlet's own methods implement it.
/// </summary>
public abstract class IntercomCmdlet : PSCmdlet, IDisposable, IPipelineOutput
{
    private readonly CancellationTokenSource _cancellation = new();
    private bool _disposed;

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
    internal T Await<T>(Task<T> task) => WaitPumping(task, Pump);

    /// <summary>Like <see cref="Await{T}(Task{T})"/>, also running <paramref name="alsoWhileWaiting"/> (progress) each time it wakes.</summary>
    internal T Await<T>(Task<T> task, Action alsoWhileWaiting) => WaitPumping(task, () =>
    {
        Pump();
        alsoWhileWaiting();
    });

    private T WaitPumping<T>(Task<T> task, Action pump)
    {
        PipelineWait.Until(task, pump);
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception ex) when (ex is not (RuntimeException or OperationCanceledException or IntercomException))
        {
            // What escapes a cmdlet reaches PowerShell: only the public family, whose ErrorRecord has the stable id.
            throw IntercomErrors.Public(ex);
        }
    }

    /// <summary>Writes what the engine reported since the last call; on the pipeline thread only.</summary>
    internal void Pump() => EngineEvents.WriteTo(this);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Cancels what is still running and releases what the cmdlet holds; PowerShell calls it once the pipeline ends.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing) return;
        _disposed = true;
        _cancellation.Cancel();
        _cancellation.Dispose();
    }
}
