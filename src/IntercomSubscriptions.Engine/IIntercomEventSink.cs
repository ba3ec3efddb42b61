namespace IntercomSubscriptions.Engine;

/// <summary>
/// What the engine tells its caller while it works: waits and retries for -Verbose, each request
/// for -Debug. Called from any thread; the caller decides when and where to show it.
/// </summary>
internal interface IIntercomEventSink
{
    void Verbose(string message);
    void Debug(string message);
}
