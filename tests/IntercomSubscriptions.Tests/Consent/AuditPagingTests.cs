using FakeIntercom;

namespace IntercomSubscriptions.Tests.Consent;

/// <summary>
/// Get-IntercomContactSubscription -All against a server whose paging never ends: cursors that go
/// round, a cursor ignored, a total_count the listing outgrows. The audit ends with one error naming
/// what Intercom did, after every distinct contact's choices, each once; stopping the pipeline early
/// is silent.
/// </summary>
public sealed class AuditPagingTests : IntercomTestBase
{
    private const int Seeded = 596; // with the sample's four contacts, 600: four pages of 150

    /// <summary>Contacts with one choice each, the sample's too (Ada has her opt-out), so each listed contact is one output object.</summary>
    private void Seed(int count = Seeded)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"pg{i:D5}").ToArray();
        Server.State.AddContacts(ids.Select(id => new ContactRecord(id, id + "@example.com", null, "user")));
        foreach (var id in ids.Concat(new[] { Grace, SharedEmailUser, SharedEmailLead })) Server.State.SetChoice(id, Newsletters, "opt_in");
    }

    private static List<string> Listed(ScriptResult result) =>
        result.Objects("IntercomSubscriptions.ContactSubscriptionChoice").Select(o => $"{o.ContactId}/{o.SubscriptionId}").ToList();

    private static void AssertEachOnce(List<string> listed) =>
        Assert.True(listed.Count == listed.Distinct().Count(), $"{listed.Count - listed.Distinct().Count()} choices were listed twice");

    [Fact]
    public void Cursors_that_go_round_end_the_audit_with_one_error_after_every_contact_listed_once()
    {
        Seed();
        Connect();
        Server.Faults.LoopContactPages(fromPage: 3, toPage: 2); // pages 1, 2, 3, then 2 again: cursors A -> B -> A
        Server.ResetLog();

        var result = Run("Get-IntercomContactSubscription -All; 'after'");

        var listed = Listed(result);
        AssertEachOnce(listed);
        Assert.Equal(450, listed.Select(l => l.Split('/')[0]).Distinct().Count());
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomInvalidResponse,", error.FullyQualifiedErrorId);
        Assert.Contains("Reading the workspace's contacts", error.ErrorDetails.Message);
        Assert.Contains("page 3", error.ErrorDetails.Message);
        Assert.Contains("page 2", error.ErrorDetails.Message);
        Assert.Contains("cursor", error.ErrorDetails.Message);
        // The cursor already read is not asked for again; the error ends the command, not the script.
        Assert.Equal(3, Server.CallCount("GET /contacts"));
        Assert.Equal("after", result.Output[^1].BaseObject);
    }

    [Fact]
    public void A_server_that_ignores_the_cursor_is_caught_at_the_second_page_and_the_first_is_listed_once()
    {
        Seed();
        Connect();
        Server.Faults.ContactPagesIgnoreCursor = true;
        Server.ResetLog();

        var result = Run("Get-IntercomContactSubscription -All");

        var listed = Listed(result);
        AssertEachOnce(listed);
        Assert.Equal(150, listed.Select(l => l.Split('/')[0]).Distinct().Count());
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomInvalidResponse,", error.FullyQualifiedErrorId);
        Assert.Contains("page 2", error.ErrorDetails.Message);
        Assert.Contains("150 contacts", error.ErrorDetails.Message);
        Assert.Contains("already", error.ErrorDetails.Message);
        Assert.Equal(2, Server.CallCount("GET /contacts"));
    }

    [Fact]
    public void The_same_contacts_under_ever_new_cursors_are_caught_by_the_contacts()
    {
        Seed();
        Connect();
        Server.Faults.ContactPagesIgnoreCursor = true;
        Server.Faults.ContactPagesFreshCursors = true;
        Server.ResetLog();

        var result = Run("Get-IntercomContactSubscription -All");

        AssertEachOnce(Listed(result));
        Assert.StartsWith("IntercomInvalidResponse,", Assert.Single(result.Errors).FullyQualifiedErrorId);
        Assert.Equal(2, Server.CallCount("GET /contacts"));
    }

    [Fact]
    public void A_listing_that_outgrows_its_total_count_ends_naming_the_count()
    {
        Seed(1496);
        Connect();
        Server.Faults.ContactListTotalCount = 10;
        Server.ResetLog();

        var result = Run("Get-IntercomContactSubscription -All");

        var listed = Listed(result);
        AssertEachOnce(listed);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomInvalidResponse,", error.FullyQualifiedErrorId);
        Assert.Contains("total_count of 10", error.ErrorDetails.Message);
        // 10 contacts, and room for 1,000 added while the audit runs: the seventh page of 150 goes past it.
        Assert.Equal(7, Server.CallCount("GET /contacts"));
        Assert.Equal(1050, listed.Select(l => l.Split('/')[0]).Distinct().Count());
    }

    [Fact]
    public void A_whole_listing_ends_quietly_and_a_wrong_total_count_within_reason_is_no_error()
    {
        Seed();
        Connect();
        Server.Faults.ContactListTotalCount = 400; // 600 listed: within the room for contacts added meanwhile

        var result = Run("Get-IntercomContactSubscription -All");

        Assert.Empty(result.Errors);
        var listed = Listed(result);
        AssertEachOnce(listed);
        Assert.Equal(Seeded + 4, listed.Count);
    }

    [Fact]
    public void Select_Object_First_and_break_stop_the_audit_quietly()
    {
        Seed();
        Connect();
        Server.Faults.LatencyMs = 50;
        Server.ResetLog();

        var first = Run("Get-IntercomContactSubscription -All | Select-Object -First 3");
        var pagesAfterFirst = Server.CallCount("GET /contacts");
        var broken = Run("""
            $n = 0
            foreach ($i in 1) {
                Get-IntercomContactSubscription -All | ForEach-Object { $n++; if ($n -gt 2) { break }; $_ }
            }
            'after'
            """);

        Assert.Empty(first.Errors);
        Assert.Equal(3, Listed(first).Count);
        Assert.Empty(broken.Errors);
        Assert.Equal(2, Listed(broken).Count);
        Assert.Equal("after", broken.Output[^1].BaseObject);
        // The first page and at most the page read ahead, each time. The first run's read-ahead may
        // reach the server only after that run returned, so the two runs are bounded together.
        Assert.InRange(pagesAfterFirst, 1, 2);
        Assert.InRange(Server.CallCount("GET /contacts"), 2, 4);
    }

    [Fact]
    public void A_search_whose_cursors_go_round_fails_the_lookup_instead_of_counting_contacts_twice()
    {
        Server.State.AddContacts(Enumerable.Range(0, 120).Select(i => new ContactRecord($"dup{i:D3}", "dup@example.com", null, "lead")));
        Connect("-MaxRetries 0");
        Server.Faults.LoopContactPages(fromPage: 3, toPage: 2);
        Server.ResetLog();

        var result = Run("Get-IntercomContactSubscription -Email dup@example.com");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomInvalidResponse,", error.FullyQualifiedErrorId);
        Assert.Contains("cursor", error.ErrorDetails.Message);
        Assert.Equal(3, Server.CallCount("POST /contacts/search"));
    }
}
