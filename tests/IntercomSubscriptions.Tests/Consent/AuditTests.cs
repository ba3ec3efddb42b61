using FakeIntercom;

namespace IntercomSubscriptions.Tests.Consent;

/// <summary>Get-IntercomContactSubscription -All over HTTP: every contact's explicit choices, with the calls counted.</summary>
public sealed class AuditTests : IntercomTestBase
{
    private const int Seeded = 3000;

    private string[] SeedWorkspace()
    {
        var ids = Enumerable.Range(0, Seeded).Select(i => $"aud{i:D5}").ToArray();
        Server.State.AddContacts(ids.Select(id => new ContactRecord(id, id + "@example.com", null, "user")));
        for (var i = 0; i < ids.Length; i++)
        {
            if (i % 4 == 0) Server.State.SetChoice(ids[i], Newsletters, "opt_in");
            if (i % 5 == 0) Server.State.SetChoice(ids[i], ProductUpdates, "opt_out");
            // Some contact objects come without whole lists: those need their own call.
            if (i % 100 == 7) Server.State.SetSubscriptionListShape(ids[i], SubscriptionListShape.HasMore);
            if (i % 100 == 9) Server.State.SetSubscriptionListShape(ids[i], SubscriptionListShape.Missing);
        }
        return ids;
    }

    /// <summary>Every explicit choice the fake holds, as "contact/type/consent", in workspace then type order.</summary>
    private List<string> ExpectedChoices(IEnumerable<string> contactIds, Func<string, bool>? onlyType = null) =>
        contactIds.SelectMany(id => Server.State.GetChoices(id)
                .Where(c => onlyType?.Invoke(c.Key) ?? true)
                .Select(c => $"{id}/{c.Key}/{c.Value}"))
            .ToList();

    [Fact]
    public void Audit_of_a_few_thousand_contacts_reads_pages_of_150_and_calls_only_for_incomplete_lists()
    {
        var ids = SeedWorkspace();
        Connect();
        Server.ResetLog();

        var result = Run("Get-IntercomContactSubscription -All -Verbose");

        Assert.Empty(result.Errors);
        var output = result.Objects("IntercomSubscriptions.ContactSubscriptionChoice").ToList();
        var allContacts = new[] { Ada, Grace, SharedEmailUser, SharedEmailLead }.Concat(ids).ToList();
        var expected = ExpectedChoices(allContacts);
        // Order within one contact follows its lists (opt-ins, then opt-outs), not the type order.
        Assert.Equal(expected.Order(StringComparer.Ordinal), output.Select(o => $"{o.ContactId}/{o.SubscriptionId}/{o.Consent}").Order(StringComparer.Ordinal));
        Assert.Equal(allContacts.Where(c => expected.Any(e => e.StartsWith(c + "/", StringComparison.Ordinal))).ToList(),
            output.Select(o => (string)o.ContactId).Distinct().ToList());

        var pages = (allContacts.Count + 149) / 150;
        var incomplete = ids.Where((_, i) => i % 100 is 7 or 9).Count();
        Assert.Equal(pages, Server.CallCount("GET /contacts"));
        Assert.Equal(incomplete, Server.CallCount("GET /contacts/{id}/subscriptions"));
        Assert.Equal(pages + incomplete, Server.CallCounts.Where(c => c.Key != "GET /subscription_types").Sum(c => c.Value));
        Assert.All(Server.Requests.Where(r => r.RawPath == "/contacts"), r => Assert.Contains("per_page=150", r.Query));
        Assert.Contains(result.Verbose, line => line.Contains($"Read {allContacts.Count:N0} contacts") && line.Contains($"{incomplete:N0} of them"));

        var sample = output.First(o => (string)o.ContactId == ids[0] && (string)o.SubscriptionId == Newsletters);
        Assert.Equal("Newsletters", (string)sample.Name);
        Assert.Equal(ids[0] + "@example.com", (string)sample.Email);
        Assert.True((bool)sample.Subscribed);
        // What Export-Csv writes for the audit (the README's `-All | Export-Csv`): plain values, no type names.
        var csv = Run("$rows | ConvertTo-Csv", new() { ["rows"] = output.Take(50).Select(o => (object)o.Inner).ToArray() });
        Assert.Empty(csv.Errors);
        var lines = csv.Output.Select(o => o.ToString()).ToList();
        Assert.Equal("\"ContactId\",\"Email\",\"ExternalId\",\"SubscriptionId\",\"Name\",\"ConsentType\",\"Consent\",\"Subscribed\",\"UnsubscribedFromEmails\"", lines[0]);
        Assert.Equal(51, lines.Count);
        Assert.All(lines, line => Assert.DoesNotContain("System.", line));
    }

    [Fact]
    public void Audit_of_one_type_by_name_streams_only_its_choices_and_they_bind_into_Set()
    {
        var ids = SeedWorkspace();
        Connect();

        var result = Run("Get-IntercomContactSubscription -All -SubscriptionName 'product updates'");

        Assert.Empty(result.Errors);
        var output = result.Objects("IntercomSubscriptions.ContactSubscriptionChoice").ToList();
        var expected = ExpectedChoices(new[] { Ada }.Concat(ids), type => type == ProductUpdates);
        Assert.Equal(expected.Order(StringComparer.Ordinal), output.Select(o => $"{o.ContactId}/{o.SubscriptionId}/{o.Consent}").Order(StringComparer.Ordinal));
        Assert.All(output, o => Assert.False((bool)o.Subscribed));

        Server.ResetLog();
        var reset = Run($"Get-IntercomContactSubscription -All -SubscriptionId {ProductUpdates} | Set-IntercomContactSubscription -State Default -Confirm:$false");
        Assert.Empty(reset.Errors);
        Assert.Equal(Server.CallCount("GET /contacts/{id}/subscriptions") - ids.Where((_, i) => i % 100 is 7 or 9).Count(), Server.CallCount("DELETE /contacts/{id}/subscriptions/{typeId}"));
        Assert.All(new[] { Ada }.Concat(ids), id => Assert.False(Server.State.GetChoices(id).ContainsKey(ProductUpdates)));
    }

    [Fact]
    public void A_long_audit_shows_progress_out_of_Intercoms_total_and_closes_it()
    {
        Server.State.AddContacts(Enumerable.Range(0, 2000).Select(i => new ContactRecord($"prog{i:D5}", null, null, "lead")));
        Connect();
        // Pages slow enough that the run outlasts the progress bar's first second.
        Server.Faults.LatencyMs = 150;

        var result = Run("Get-IntercomContactSubscription -All");

        Assert.Empty(result.Errors);
        var progress = result.Progress.Where(p => p.Activity == "Reading every contact's subscription choices").ToList();
        Assert.Contains(progress, p => p.RecordType == System.Management.Automation.ProgressRecordType.Processing
            && p.StatusDescription.Contains("of 2,004 records") && p.PercentComplete is >= 0 and <= 100);
        Assert.Equal(System.Management.Automation.ProgressRecordType.Completed, progress.Last().RecordType);
    }

    [Fact]
    public void An_unknown_type_ends_the_audit_before_any_contact_is_read()
    {
        Connect();
        Server.ResetLog();

        var result = Run("Get-IntercomContactSubscription -All -SubscriptionName 'No such type'");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomSubscriptionTypeNotFound", error.FullyQualifiedErrorId);
        Assert.Equal(0, Server.CallCount("GET /contacts"));
    }

    [Fact]
    public void A_contact_whose_own_choices_cannot_be_read_fails_alone()
    {
        Server.State.SetChoice(Grace, Newsletters, "opt_in");
        Server.State.SetSubscriptionListShape(Grace, SubscriptionListShape.Missing);
        Server.State.SetSubscriptionListShape(SharedEmailUser, SubscriptionListShape.HasMore);
        Server.State.SetChoice(SharedEmailUser, ProductUpdates, "opt_out");
        Connect();
        Server.Faults.EnqueueScripted(new ScriptedResponse(404,
            """{"type":"error.list","request_id":"req-audit","errors":[{"code":"not_found","message":"User Not Found"}]}""")
            { PathContains = $"/contacts/{Grace}/subscriptions", Method = "GET" });

        var result = Run("Get-IntercomContactSubscription -All");

        var error = Assert.Single(result.Errors);
        Assert.Equal(Grace, error.TargetObject);
        Assert.StartsWith("IntercomContactNotFound", error.FullyQualifiedErrorId);
        Assert.Equal(new[] { $"{Ada}/{ProductUpdates}", $"{SharedEmailUser}/{ProductUpdates}" },
            result.Objects("IntercomSubscriptions.ContactSubscriptionChoice").Select(o => $"{o.ContactId}/{o.SubscriptionId}"));
    }

    [Fact]
    public void A_page_that_cannot_be_read_ends_the_audit_with_a_terminating_error()
    {
        Connect();
        Server.Faults.EnqueueScripted(new ScriptedResponse(403,
            """{"type":"error.list","request_id":"req-page","errors":[{"code":"forbidden","message":"Token lacks the read_users scope"}]}""")
            { PathContains = "/contacts", Method = "GET" });

        var result = Run("Get-IntercomContactSubscription -All; 'after'");

        var error = Assert.Single(result.Errors);
        Assert.Contains("Reading the workspace's contacts", error.ErrorDetails.Message);
        Assert.Contains("req-page", error.ErrorDetails.Message + error.Exception.Message);
        Assert.Empty(result.Objects("IntercomSubscriptions.ContactSubscriptionChoice"));
    }
}
