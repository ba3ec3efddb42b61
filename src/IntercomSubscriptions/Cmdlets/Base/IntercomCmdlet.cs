using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// The base of the cmdlets that wait on the engine (Connect-Intercom and every cmdlet that talks to
/// Intercom; Disconnect-Intercom and Get-IntercomConnection need none of this): cancellation
/// (StopProcessing, i.e. Ctrl+C, cancels all HTTP work), the one sync-over-async helper, and writing
/// what the engine reported on the pipeline thread while waiting.
/// </summary>
public abstract class IntercomCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();

    internal CmdletEventQueue EngineEvents { get; } = new();

    protected CancellationToken CancellationToken => _cancellation.Token;

    /// <summary>What else the pipeline thread does each time it wakes while waiting (progress), set by the cmdlet that needs it.</summary>
    private protected Action? WhileWaiting { get; set; }

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
        PipelineWait.Until(task, Pump);
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

    /// <summary>Writes what accumulated; called on the pipeline thread only.</summary>
    internal void Pump()
    {
        EngineEvents.WriteTo(this);
        WhileWaiting?.Invoke();
    }

    public void Dispose()
    {
        _cancellation.Cancel();
        _cancellation.Dispose();
        GC.SuppressFinalize(this);
    }
}
