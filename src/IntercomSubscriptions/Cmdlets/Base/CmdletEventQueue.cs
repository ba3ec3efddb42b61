using System.Collections.Concurrent;
using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Collects what the engine reports from its worker threads so the pipeline thread can write it:
/// PowerShell's streams may only be written from the thread that runs the cmdlet. What the engine
/// counts for this command's requests goes straight into <see cref="Counts"/>, which the run summary reads.
/// </summary>
internal sealed class CmdletEventQueue : IIntercomEventSink
{
    private readonly ConcurrentQueue<(bool IsVerbose, string Message)> _messages = new();

    /// <summary>Off unless -Debug or $DebugPreference asks: a bulk run would otherwise build and queue a line per request for nothing.</summary>
    public bool DebugWanted { get; set; }

    public bool VerboseWanted { get; set; } = true;

    /// <summary>Requests, retries, 429s and pacing waits of every call this command made with this sink.</summary>
    public RequestCounts Counts { get; } = new();

    public void Verbose(string message)
    {
        if (VerboseWanted) _messages.Enqueue((true, message));
    }

    public void Debug(string message)
    {
        if (DebugWanted) _messages.Enqueue((false, message));
    }

    public void Count(WireEvent what, DateTimeOffset at) => Counts.Add(what, at);

    public void WriteTo(Cmdlet cmdlet)
    {
        while (_messages.TryDequeue(out var entry))
        {
            if (entry.IsVerbose) cmdlet.WriteVerbose(entry.Message);
            else cmdlet.WriteDebug(entry.Message);
        }
    }
}
