namespace IntercomSubscriptions.Engine;

/// <summary>
/// What the engine tells its caller while it works: waits and retries for -Verbose, each request for
/// -Debug, and what it counts for the caller's run summary. The caller passes one with each call, so
/// two runs sharing a connection each hear only of their own requests. Called from any thread.
/// </summary>
internal interface IIntercomEventSink
{
    void Verbose(string message);

    void Debug(string message);

    /// <summary>One counted event of a call made with this sink, at <paramref name="at"/> (the connection's clock).</summary>
    void Count(WireEvent what, DateTimeOffset at);
}
