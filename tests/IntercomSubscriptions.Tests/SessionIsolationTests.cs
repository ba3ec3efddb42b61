using System.Reflection;
using System.Security;
using FakeIntercom;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// Each runspace has its own default connection (Azure Automation runs jobs side by side in one
/// process), and Disconnect-Intercom really ends a connection: no more requests, no token kept.
/// </summary>
public sealed class SessionIsolationTests : IntercomTestBase
{

    [Fact]
    public async Task Two_runspaces_connected_to_two_workspaces_do_not_see_each_others_connection()
    {
        await using var otherServer = await FakeIntercomServer.StartAsync(new FakeIntercomOptions { Token = "other-workspace-token-0000000001" });
        otherServer.State.AddContact("only-in-other");
        using var otherShell = new PowerShellSession();
        using var unconnectedShell = new PowerShellSession();

        Connect();
        otherShell.Connect(otherServer);

        var here = Run("(Get-IntercomConnection).BaseUri.ToString()");
        var there = otherShell.Run("(Get-IntercomConnection).BaseUri.ToString()");
        Assert.Equal(Server.BaseUri.ToString(), Assert.Single(here.Output).BaseObject);
        Assert.Equal(otherServer.BaseUri.ToString(), Assert.Single(there.Output).BaseObject);

        Server.ResetLog();
        otherServer.ResetLog();
        var otherAdd = otherShell.Run("Add-IntercomContactSubscription -ContactId only-in-other -SubscriptionId 108 -Consent opt_in");
        Assert.Empty(otherAdd.Errors);
        Assert.Empty(Server.Requests);
        Assert.Single(otherServer.Requests);

        // Disconnecting one runspace leaves the other connected; a third never was.
        Run("Disconnect-Intercom");
        Assert.Empty(otherShell.Run("Get-IntercomConnection").Errors);
        var notHere = Run("Get-IntercomConnection");
        Assert.StartsWith("IntercomNotConnected,", Assert.Single(notHere.Errors).FullyQualifiedErrorId);
        var never = unconnectedShell.Run($"Get-IntercomContactSubscription -ContactId {Ada}");
        Assert.StartsWith("IntercomNotConnected,", Assert.Single(never.Errors).FullyQualifiedErrorId);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task Runspaces_working_at_the_same_time_each_use_their_own_connection()
    {
        using var a = new PowerShellSession();
        using var b = new PowerShellSession();
        a.Connect(Server);
        b.Connect(Server, "-ApiVersion 2.11");
        Server.ResetLog();
        var ids = Enumerable.Range(0, 40).Select(i => $"par{i:D3}").ToArray();
        foreach (var id in ids) Server.State.AddContact(id);

        var runs = new[] { a, b }.Select(shell => Task.Run(() => shell.Run(
            "$ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } } | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -ThrottleLimit 4",
            new() { ["ids"] = ids }))).ToArray();
        var results = await Task.WhenAll(runs);

        Assert.All(results, r => Assert.Empty(r.Errors));
        Assert.All(results, r => Assert.Equal(40, r.Objects("IntercomSubscriptions.ContactSubscription").Count()));
        var versions = Server.Requests.GroupBy(r => r.IntercomVersion).ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal(40, versions["2.14"]);
        Assert.Equal(40, versions["2.11"]);
    }

    [Fact]
    public void Disconnect_ends_the_default_connection_and_the_PassThru_object_held_from_before()
    {
        Connect();
        var held = Run($"$held = Get-IntercomConnection; $passThru = Connect-Intercom -BaseUri $baseUri -Token {SecureToken} -PassThru; $passThru",
            new() { ["baseUri"] = Server.BaseUri, ["token"] = Server.Token });
        var connection = Assert.Single(held.Output).BaseObject;
        Server.ResetLog();

        var result = Run($$"""
            Disconnect-Intercom
            $passThru.IsOpen
            Get-IntercomContactSubscription -ContactId {{Ada}}
            Get-IntercomContactSubscription -ContactId {{Ada}} -Connection $passThru
            Add-IntercomContactSubscription -ContactId {{Ada}} -SubscriptionId 108 -Consent opt_in -Connection $passThru
            Get-IntercomSubscriptionType -Connection $passThru
            Get-IntercomConnection
            """);

        Assert.Equal(false, result.Output.Single().BaseObject);
        Assert.Equal(5, result.Errors.Count);
        Assert.All(result.Errors, e => Assert.Contains("Connect-Intercom", e.ToString()));
        // Without -Connection there is no connection; the one passed with -Connection says it was closed.
        Assert.Equal(
            ["IntercomNotConnected", "IntercomConnectionClosed", "IntercomConnectionClosed", "IntercomConnectionClosed", "IntercomNotConnected"],
            result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.All(result.Errors.Skip(1).Take(3), e => Assert.Contains("closed by Disconnect-Intercom", e.ToString()));
        Assert.Empty(Server.Requests);
        AssertTokenGone(connection);

        // The connection that was replaced as default (not disconnected) still works when passed explicitly.
        var older = Run($"Get-IntercomContactSubscription -ContactId {Ada} -Connection $held");
        Assert.Empty(older.Errors);
        Assert.NotEmpty(older.Output);
    }

    [Fact]
    public void Disconnecting_twice_or_without_a_connection_is_harmless()
    {
        var never = Run("Disconnect-Intercom -Verbose");
        Assert.Empty(never.Errors);
        Assert.Contains(never.Verbose, v => v.Contains("not connected"));
        Connect();
        var twice = Run("Disconnect-Intercom; Disconnect-Intercom");
        Assert.Empty(twice.Errors);
    }

    /// <summary>Reaches into the connection (the tests do not reference the module): its engine client's SecureString is disposed.</summary>
    internal static void AssertTokenGone(object connection)
    {
        var client = connection.GetType().GetProperty("Client", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(connection)!;
        var tokens = client.GetType().GetFields(BindingFlags.NonPublic | BindingFlags.Instance)
            .Where(f => f.FieldType == typeof(SecureString)).Select(f => (SecureString)f.GetValue(client)!).ToList();
        Assert.NotEmpty(tokens);
        Assert.All(tokens, token => Assert.Throws<ObjectDisposedException>(() => token.Length));
        Assert.DoesNotContain(client.GetType().GetFields(BindingFlags.NonPublic | BindingFlags.Instance), f => f.FieldType == typeof(string) && f.Name.Contains("token", StringComparison.OrdinalIgnoreCase));
    }
}
