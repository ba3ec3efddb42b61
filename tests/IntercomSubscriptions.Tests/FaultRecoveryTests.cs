using System.Management.Automation;
using FakeIntercom;

namespace IntercomSubscriptions.Tests;

/// <summary>Servers that misbehave mid-run (issue 9): nothing asked for is lost, nothing applied goes unreported.</summary>
public sealed class FaultRecoveryTests : IntercomTestBase
{
    [Fact]
    public void A_failed_refresh_of_the_subscription_types_keeps_the_run_going_with_one_warning()
    {
        var ids = Enumerable.Range(0, 30).Select(i => $"refresh{i:D3}").ToArray();
        foreach (var id in ids) Server.State.AddContact(id);
        Connect("-MaxRetries 0");
        // Row 5 names a type the held list lacks: that miss re-reads the list, and the re-read fails.
        Server.Faults.EnqueueScripted(new ScriptedResponse(503,
            """{"type":"error.list","request_id":"r-503","errors":[{"code":"service_unavailable","message":"Service Unavailable"}]}""")
        {
            Method = "GET",
            PathContains = "subscription_types",
        });
        var rows = ids.Select((id, i) => new PSObject(i == 5
            ? new { contact_id = id, subscription_name = "Not a type" }
            : (object)new { contact_id = id, subscription_id = SampleData.Newsletters })).ToArray();

        var result = Run("$rows | Add-IntercomContactSubscription", new() { ["rows"] = rows });

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomSubscriptionTypeNotFound,", error.FullyQualifiedErrorId);
        Assert.Same(rows[5].BaseObject, (error.TargetObject as PSObject)?.BaseObject ?? error.TargetObject);
        var warning = Assert.Single(result.Warnings);
        Assert.StartsWith("Could not refresh the workspace's subscription types (", warning);
        Assert.Contains("request_id r-503", warning);
        var applied = result.Objects("IntercomSubscriptions.ContactSubscription").Select(o => (string)o.ContactId).ToArray();
        Assert.Equal(ids.Where((_, i) => i != 5), applied);
        foreach (var id in applied)
            Assert.Equal(new Dictionary<string, string> { [SampleData.Newsletters] = "opt_in" }, Server.State.GetChoices(id));
        Assert.Empty(Server.State.GetChoices(ids[5]));
        // One failed re-read, not one per remaining row.
        Assert.Equal(2, Server.Requests.Count(r => r.Method == "GET" && r.RawPath.Contains("subscription_types")));
    }
}
