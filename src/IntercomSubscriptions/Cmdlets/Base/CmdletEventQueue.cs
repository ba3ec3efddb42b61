using System.Collections.Concurrent;
using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Collects what the engine reports from its worker threads so the pipeline thread can write it:
/// PowerShell's streams may only be written from the thread that runs the cmdlet.
/// </summary>
internal sealed class CmdletEventQueue : IIntercomEventSink
{
    private readonly ConcurrentQueue<(bool IsVerbose, string Message)> _messages = new();

    /// <summary>Off unless -Debug or $DebugPreference asks: a bulk run would otherwise build and queue a line per request for nothing.</summary>
    public bool DebugWanted { get; set; }

    public bool VerboseWanted { get; set; } = true;

    public void Verbose(string message)
    {
        if (VerboseWanted) _messages.Enqueue((true, message));
    }

    public void Debug(string message)
    {
        if (DebugWanted) _messages.Enqueue((false, message));
    }

    public void WriteTo(Cmdlet cmdlet)
    {
        while (_messages.TryDequeue(out var entry))
        {
            if (entry.IsVerbose) cmdlet.WriteVerbose(entry.Message);
            else cmdlet.WriteDebug(entry.Message);
        }
    }
}
