using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace IntercomSubscriptions.Tests;

/// <summary>Closing connections, and a failed or stopped Connect-Intercom, end to end.</summary>
public sealed class ConnectionLifecycleTests : IntercomTestBase
{
    private ScriptResult ConnectPassThru(string variable) =>
        Run($"${variable} = Connect-Intercom -BaseUri $baseUri -Token {SecureToken} -PassThru", new() { ["baseUri"] = Server.BaseUri, ["token"] = Server.Token });

    [Fact]
    public void Disconnect_with_a_connection_closes_that_one_and_using_it_says_it_was_closed()
    {
        Assert.Empty(ConnectPassThru("first").Errors);
        Assert.Empty(ConnectPassThru("second").Errors); // now the default
        Server.ResetLog();

        var result = Run($"""
            Disconnect-Intercom -Connection $first
            $first.IsOpen
            $second.IsOpen
            Get-IntercomContactSubscription -ContactId {Ada} -Connection $first
            Get-IntercomSubscriptionType -Connection $first
            (Get-IntercomConnection) -eq $second
            """);

        Assert.Equal(new object[] { false, true, true }, result.Output.Select(o => o.BaseObject));
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, e =>
        {
            Assert.StartsWith("IntercomConnectionClosed" + ",", e.FullyQualifiedErrorId);
            Assert.Contains("closed by Disconnect-Intercom", e.ToString());
        });
        // Answered from nothing: not the cache of subscription types, not the server.
        Assert.Empty(Server.Requests);
        Assert.Empty(Run($"Get-IntercomContactSubscription -ContactId {Ada}").Errors);
    }

    [Fact]
    public void Disconnect_closes_the_connections_it_holds_to_Intercom()
    {
        Assert.Empty(ConnectPassThru("first").Errors);
        Assert.Empty(Run($"1..4 | ForEach-Object {{ Get-IntercomContactSubscription -ContactId {Ada} -Connection $first }} | Out-Null").Errors);
        Assert.True(Server.OpenConnections > 0, "a connection that has asked Intercom something keeps its sockets open for the next request");

        Assert.Empty(Run("Disconnect-Intercom -Connection $first").Errors);

        // The peer sees the close a moment later: waited for, at most 10 s.
        var closedBy = DateTime.UtcNow.AddSeconds(10);
        while (Server.OpenConnections > 0 && DateTime.UtcNow < closedBy) Thread.Sleep(20);
        Assert.Equal(0, Server.OpenConnections);
    }

    [Fact]
    public void Remove_Module_closes_the_connections_the_session_opened()
    {
        Assert.Empty(ConnectPassThru("kept").Errors);
        var result = Run("""
            Remove-Module IntercomSubscriptions
            $kept.IsOpen
            """);

        Assert.Empty(result.Errors);
        Assert.Equal(false, Assert.Single(result.Output).BaseObject);
    }

    [Fact]
    public void A_failed_Connect_leaves_no_default_connection_behind()
    {
        Connect();
        Server.ResetLog();
        var result = Run($$"""
            Connect-Intercom -BaseUri $uri -Token {{SecureString("'wrong-token-123456789'")}}
            Add-IntercomContactSubscription -ContactId {{Grace}} -SubscriptionId 108
            """, new() { ["uri"] = Server.BaseUri });

        Assert.Equal(["IntercomUnauthorized", "IntercomNotConnected"], result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.Empty(Server.State.GetChoices(Grace));
        Assert.DoesNotContain(Server.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task Stopping_Connect_while_it_waits_for_its_check_closes_the_connection_it_opened()
    {
        // A server of its own: it answers the check with a 429 whose Retry-After keeps Connect-Intercom waiting.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var baseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        var module = (Assembly)Run("(Get-Module IntercomSubscriptions).ImplementingAssembly").Output.Single().BaseObject;
        using var connect = PowerShell.Create();
        connect.Runspace = Shell.Runspace;
        Shell.Runspace.SessionStateProxy.SetVariable("baseUri", baseUri);
        Shell.Runspace.SessionStateProxy.SetVariable("token", Server.Token);
        connect.AddScript($"Connect-Intercom -BaseUri $baseUri -Token {SecureToken} -Verbose");
        var running = connect.BeginInvoke();

        using var accepted = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var stream = accepted.GetStream();
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n"))
        {
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotEqual(0, read);
            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        const string body = """{"type":"error.list","errors":[{"code":"rate_limit_exceeded","message":"Rate Limit Exceeded"}]}""";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 20\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}"));
        Assert.True(SpinWait.SpinUntil(() => connect.Streams.Verbose.Any(v => v.Message.Contains("waiting 20")), TimeSpan.FromSeconds(30)),
            "Connect-Intercom did not say it waits: " + string.Join(" | ", connect.Streams.Verbose.Select(v => v.Message)));

        // The connection being checked, held here: the runspace keeps only a weak reference to it.
        var opened = Assert.Single(ConnectionsOpenedIn(module, Shell.Runspace));
        var isOpen = opened.GetType().GetProperty("IsOpen")!;
        Assert.Equal(true, isOpen.GetValue(opened));

        Assert.True(await Task.Run(connect.Stop).EndsWithin(TimeSpan.FromSeconds(10)), "Stop() did not return");

        Assert.True(running.IsCompleted);
        Assert.Empty(Run("Get-IntercomConnection").Output);
        // Closed by the stopped check, its token gone: not left open for the garbage collector to find.
        Assert.Equal(false, isOpen.GetValue(opened));
        SessionIsolationTests.AssertTokenGone(opened);
    }

    /// <summary>Every connection the module remembers as opened in the session's runspace (the tests do not reference the module: reflection).</summary>
    private static List<object> ConnectionsOpenedIn(Assembly module, System.Management.Automation.Runspaces.Runspace runspace)
    {
        var slots = module.GetType("IntercomSubscriptions.RunspaceConnectionStore", throwOnError: true)!
            .GetField("Slots", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        var lookup = new object?[] { runspace, null };
        if (!(bool)slots.GetType().GetMethod("TryGetValue")!.Invoke(slots, lookup)!) return new();
        var opened = (System.Collections.IEnumerable)lookup[1]!.GetType().GetField("Opened")!.GetValue(lookup[1])!;
        var connections = new List<object>();
        foreach (var weak in opened)
        {
            var target = new object?[] { null };
            if ((bool)weak.GetType().GetMethod("TryGetTarget")!.Invoke(weak, target)!) connections.Add(target[0]!);
        }
        return connections;
    }
}
