using FakeIntercom;

namespace IntercomSubscriptions.Tests;

/// <summary>Each test gets its own fake Intercom (with the sample data) and its own runspace.</summary>
public abstract class IntercomTestBase : IAsyncLifetime
{
    protected FakeIntercomServer Server { get; private set; } = null!;
    protected PowerShellSession Shell { get; private set; } = null!;

    protected virtual FakeIntercomOptions ServerOptions => new();

    public async Task InitializeAsync()
    {
        Server = await FakeIntercomServer.StartAsync(ServerOptions);
        Shell = new PowerShellSession();
    }

    public async Task DisposeAsync()
    {
        Shell.Dispose();
        await Server.DisposeAsync();
    }

    protected ScriptResult Run(string script, Dictionary<string, object?>? variables = null) => Shell.Run(script, variables);

    protected void Connect(string extra = "") => Shell.Connect(Server, extra);

    /// <summary>Requests that reached the Intercom API routes (Connect-Intercom's check included).</summary>
    protected IReadOnlyList<RecordedRequest> ApiRequests(string method) => Server.Requests.Where(r => r.Method == method).ToList();
}
