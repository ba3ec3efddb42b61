namespace IntercomSubscriptions.Tests;

/// <summary>Issue 11, "Errors and connections": closing connections, and a failed Connect-Intercom, end to end.</summary>
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

        Assert.Equal(new[] { "IntercomUnauthorized", "IntercomNotConnected" }, result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.Empty(Server.State.GetChoices(Grace));
        Assert.DoesNotContain(Server.Requests, r => r.Method == "POST");
    }
}
