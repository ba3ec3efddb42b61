using System.Management.Automation;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// One connection used by two runspaces at once (<c>-Connection $c</c> in two ThreadJobs): they share
/// its contact lookups, and stopping one pipeline must not fail the other's.
/// </summary>
public sealed class SharedConnectionTests : IntercomTestBase
{
    private const string Subscription = "IntercomSubscriptions.ContactSubscription";

    [Theory]
    [InlineData("Stop")]
    [InlineData("Dispose")]
    public async Task Stopping_one_pipeline_does_not_fail_the_lookups_another_pipeline_shares_with_it(string howEnded)
    {
        var connected = Run($"$c = Connect-Intercom -BaseUri $baseUri -Token {SecureToken} -PassThru; $c",
            new() { ["baseUri"] = Server.BaseUri, ["token"] = Server.Token });
        var connection = Assert.Single(connected.Output).BaseObject;
        Server.State.SetChoice(Ada, Newsletters, "opt_in");
        Server.State.SetChoice(Grace, Newsletters, "opt_in");
        using var other = new PowerShellSession();
        // Warmed up, so that the second pipeline starts at once when asked.
        Assert.Empty(other.Run($"Get-IntercomContactSubscription -ContactId {Grace} -Connection $c", new() { ["c"] = connection }).Errors);
        // Slow answers keep the first pipeline's search on the wire while the second one joins it.
        Server.Faults.LatencyMs = 3000;
        Server.ResetLog();

        var first = PowerShell.Create();
        first.Runspace = Shell.Runspace;
        first.AddScript($"'{AdaEmail}' | Get-IntercomContactSubscription -Connection $c");
        first.BeginInvoke();
        Assert.True(SpinWait.SpinUntil(() => Server.CallCount("POST /contacts/search") > 0, TimeSpan.FromSeconds(30)));
        // The same email (its lookup is on the wire, so it is shared), then a contact by id: once that
        // one's request reaches the server (CallCount counts arrivals), the first row has joined the lookup.
        var second = Task.Run(() => other.Run($$"""
            @(
                [pscustomobject]@{ email = '{{AdaEmail}}' }
                [pscustomobject]@{ contact_id = '{{Grace}}' }
            ) | Get-IntercomContactSubscription -Connection $c
            """, new() { ["c"] = connection }));
        Assert.True(SpinWait.SpinUntil(() => Server.CallCount("GET /contacts/{id}/subscriptions") > 0, TimeSpan.FromSeconds(30)));
        Assert.True(await Task.Run(howEnded == "Stop" ? first.Stop : first.Dispose).EndsWithin(TimeSpan.FromSeconds(10)), $"{howEnded}() did not return");

        Assert.True(await second.EndsWithin(TimeSpan.FromSeconds(30)), "the second pipeline did not finish");
        var result = await second;
        first.Dispose();
        Assert.Empty(result.Errors);
        Assert.Equal(new[] { Ada, Grace }, result.Objects(Subscription).Select(o => (string)o.ContactId).Distinct());
    }
}
