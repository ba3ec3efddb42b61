namespace IntercomSubscriptions.Engine.Tests;

/// <summary>An event sink that keeps what the engine said and counted, for tests to read.</summary>
internal sealed class RecordingEvents : IIntercomEventSink
{
    private readonly object _gate = new();
    public List<string> VerboseLines { get; } = new();
    public List<string> DebugLines { get; } = new();
    /// <summary>What the engine counted for the calls made with this sink.</summary>
    public RequestCounts Counts { get; } = new();

    public void Count(WireEvent what, DateTimeOffset at) => Counts.Add(what, at);

    public void Verbose(string message)
    {
        lock (_gate) VerboseLines.Add(message);
    }

    public void Debug(string message)
    {
        lock (_gate) DebugLines.Add(message);
    }
}
