using System.Management.Automation;
using FakeIntercom;

namespace IntercomSubscriptions.Tests;

/// <summary>Servers that misbehave mid-run: nothing asked for is lost, nothing applied goes unreported.</summary>
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

    private const string RateLimitBody = """{"type":"error.list","request_id":"r-429","errors":[{"code":"rate_limit_exceeded","message":"Exceeded rate limit"}]}""";

    private string[] AddContacts(int count, string prefix)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"{prefix}{i:D4}").ToArray();
        foreach (var id in ids) Server.State.AddContact(id);
        return ids;
    }

    private ScriptResult AddAll(string[] ids, string extra = "") =>
        Run($"$ids | ForEach-Object {{ [pscustomobject]@{{ contact_id = $_ }} }} | Add-IntercomContactSubscription -SubscriptionId {SampleData.Newsletters} {extra}",
            new() { ["ids"] = ids });

    private List<FakeIntercom.RecordedRequest> Posts() => Server.Requests.Where(r => r.Method == "POST").ToList();

    private void AssertAllApplied(IEnumerable<string> ids)
    {
        foreach (var id in ids)
            Assert.Equal(new Dictionary<string, string> { [SampleData.Newsletters] = "opt_in" }, Server.State.GetChoices(id));
    }

    [Fact]
    public void Waiting_for_the_rate_limit_is_not_counted_as_time_on_the_wire()
    {
        var ids = AddContacts(40, "wire");
        Connect("-TimeoutSec 1 -MaxRetries 0");
        Server.ResetLog();
        // Each spent window makes requests wait up to 2 s for the next: longer than the 1 s timeout.
        Server.Faults.RateLimit = 12;
        Server.Faults.RateLimitWindowSeconds = 2;

        var result = AddAll(ids);

        Assert.Empty(result.Errors);
        Assert.Equal(ids, result.Objects("IntercomSubscriptions.ContactSubscription").Select(o => (string)o.ContactId));
        AssertAllApplied(ids);
        Assert.Equal(40, Posts().Count);   // one attempt each: no spurious timeout, no retry
        Assert.Equal(0, Server.RequestsWhileExhausted);
    }

    [Fact] // within the bound
    public void A_Retry_After_within_the_bound_is_waited_out_and_announced_once_with_its_true_length()
    {
        var ids = AddContacts(4, "after");
        Connect();
        Server.ResetLog();
        Server.Faults.EnqueueScripted(new ScriptedResponse(429, RateLimitBody)
        {
            Method = "POST",
            Headers = new Dictionary<string, string> { ["Retry-After"] = "3" },
        });

        var result = AddAll(ids, "-ThrottleLimit 1 -Verbose");

        Assert.Empty(result.Errors);
        AssertAllApplied(ids);
        var announcement = Assert.Single(result.Verbose, v => v.StartsWith("Intercom asked to retry later", StringComparison.Ordinal));
        Assert.Matches(@"waiting [23]\.\d s", announcement);
        var posts = Posts();
        Assert.Equal([429, 200, 200, 200, 200], posts.Select(p => p.StatusCode));
        Assert.True(posts[1].ReceivedAt - posts[0].CompletedAt >= TimeSpan.FromSeconds(2.5), "the retry did not wait for Retry-After");
    }

    [Fact] // beyond the bound
    public void A_Retry_After_beyond_the_bound_fails_each_waiting_record_at_once_saying_how_long_Intercom_asked()
    {
        var ids = AddContacts(6, "long");
        Connect("-MaxRateLimitWaitSec 2");
        Server.ResetLog();
        Server.Faults.EnqueueScripted(new ScriptedResponse(429, RateLimitBody)
        {
            Method = "POST",
            Headers = new Dictionary<string, string> { ["Retry-After"] = "120" },
        });

        var result = AddAll(ids, "-ThrottleLimit 1");

        Assert.Empty(result.Output);
        Assert.Equal(6, result.Errors.Count);
        Assert.All(result.Errors, e =>
        {
            Assert.StartsWith("IntercomRateLimited,", e.FullyQualifiedErrorId);
            Assert.Contains("asked to wait 120", e.ErrorDetails.Message);
        });
        Assert.Single(Posts());   // the 429 itself; nothing was sent into the two minutes
        Assert.All(ids, id => Assert.Empty(Server.State.GetChoices(id)));
    }

    [Fact]
    public void Rate_limit_answers_do_not_use_up_the_retries_for_server_errors()
    {
        Connect("-MaxRetries 1");
        Server.ResetLog();
        Server.Faults.EnqueueScripted(new ScriptedResponse(429, RateLimitBody)
        {
            Method = "POST",
            Times = 4,
            Headers = new Dictionary<string, string> { ["Retry-After"] = "0" },
        });
        Server.Faults.EnqueueScripted(new ScriptedResponse(500,
            """{"type":"error.list","request_id":"r-500","errors":[{"code":"server_error","message":"Server error"}]}""") { Method = "POST" });

        var result = Run($"Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId {SampleData.Newsletters}");

        Assert.Empty(result.Errors);
        Assert.Single(result.Output);
        Assert.Equal([429, 429, 429, 429, 500, 200], Posts().Select(p => p.StatusCode));
    }

    [Fact]
    public void A_Reset_in_the_past_loses_no_row()
    {
        var ids = AddContacts(50, "skew");
        Connect("-MaxRetries 0");
        Server.ResetLog();
        Server.Faults.RateLimit = 10;
        Server.Faults.RateLimitWindowSeconds = 2;
        Server.Faults.ResetSkewSeconds = -30;   // the server's clock is half a minute behind ours

        var result = AddAll(ids);

        Assert.Empty(result.Errors);
        Assert.Equal(ids, result.Objects("IntercomSubscriptions.ContactSubscription").Select(o => (string)o.ContactId));
        AssertAllApplied(ids);
    }

    [Fact]
    public void After_Intercom_refuses_the_token_nothing_more_is_sent_and_every_remaining_record_gets_that_error()
    {
        var ids = AddContacts(60, "revoked");
        Connect();
        Server.ResetLog();
        Server.Faults.RevokeTokenFromRequest(10);

        var result = AddAll(ids, "-ThrottleLimit 4");

        var applied = result.Objects("IntercomSubscriptions.ContactSubscription").Select(o => (string)o.ContactId).ToList();
        Assert.Equal(60, applied.Count + result.Errors.Count);   // one result or one error per record
        Assert.InRange(applied.Count, 9, 9);                     // the nine before the revocation
        Assert.All(result.Errors, e => Assert.StartsWith("IntercomUnauthorized,", e.FullyQualifiedErrorId));
        Assert.Contains(result.Errors, e => e.ErrorDetails.Message.Contains("Not sent: Intercom refused this connection's token"));
        // At most the requests already in flight when the first 401 came back got one too.
        Assert.InRange(Posts().Count(p => p.StatusCode == 401), 1, 4);
        Assert.InRange(Posts().Count, 10, 13);
        AssertAllApplied(applied);
    }

    [Fact]
    public void An_answer_about_another_subscription_type_is_an_invalid_response_not_a_success()
    {
        Connect();
        Server.Faults.AnswerTypeIdInstead(SampleData.Newsletters, SampleData.ProductUpdates);

        var result = Run($"Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId {SampleData.Newsletters}");

        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomInvalidResponse,", error.FullyQualifiedErrorId);
        Assert.Contains($"answered about subscription type {SampleData.ProductUpdates} when asked to change {SampleData.Newsletters}", error.ErrorDetails.Message);
    }

    [Fact] // the bound on buffered bytes is an engine unit test; this is the same path over HTTP
    public void Large_answers_in_flight_at_once_are_all_read()
    {
        var ids = AddContacts(16, "large");
        Connect();
        Server.Faults.PadJsonAnswersToBytes = 2 * 1024 * 1024;

        var result = AddAll(ids, "-ThrottleLimit 8");

        Assert.Empty(result.Errors);
        Assert.Equal(ids, result.Objects("IntercomSubscriptions.ContactSubscription").Select(o => (string)o.ContactId));
    }

    [Fact]
    public void Control_characters_in_server_text_never_reach_output_properties()
    {
        Server.State.AddSubscriptionType("120", "News\u001b[31m\u0007", description: "Bell\u0007");
        Connect();

        var result = Run("Get-IntercomSubscriptionType -Id 120");

        var type = Assert.Single(result.Objects("IntercomSubscriptions.SubscriptionType"));
        Assert.Equal("News\\u001b[31m\\u0007", (string)type.Name);
        Assert.Equal("Bell\\u0007", (string)type.Description);
    }

    [Fact] // a body cut off mid-way
    public void An_answer_cut_off_mid_way_is_not_called_unreachable_and_says_the_change_may_have_been_applied()
    {
        Connect("-MaxRetries 0");
        Server.Faults.EnqueueScripted(new ScriptedResponse(200, """{"type":"subscription","id":"108","state":"live","consent_type":"opt_in"}""")
        {
            Method = "POST",
            CutOffAfterBytes = 10,
        });

        var result = Run($"Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId {SampleData.Newsletters}");

        var error = Assert.Single(result.Errors);
        Assert.DoesNotContain("could not reach", error.ErrorDetails.Message);
        Assert.Contains("broke off after", error.ErrorDetails.Message);
        Assert.Contains("may have applied the change", error.ErrorDetails.Message);
    }

    [Fact] // a timeout
    public void A_timed_out_change_says_it_may_have_been_applied()
    {
        Connect("-MaxRetries 0 -TimeoutSec 1");
        Server.Faults.EnqueueScripted(new ScriptedResponse(200, null) { Method = "POST", DelayMs = 3000 });

        var result = Run($"Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId {SampleData.Newsletters}");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomTimeout,", error.FullyQualifiedErrorId);
        Assert.Contains("did not answer within 1 s (1 attempt", error.ErrorDetails.Message);
        Assert.Contains("may have applied the change", error.ErrorDetails.Message);
    }

    [Fact]
    public void With_no_retries_a_dropped_DELETE_is_sent_exactly_once()
    {
        Server.State.SetChoice(Grace, SampleData.Newsletters, "opt_in");
        Connect("-MaxRetries 0");
        // Warm the connection pool: the resend this guards against happens on a reused connection.
        Run($"Get-IntercomContactSubscription -ContactId {Grace}");
        Server.ResetLog();
        Server.Faults.EnqueueScripted(new ScriptedResponse(0, null) { Method = "DELETE", DropConnection = true });

        var result = Run($"Remove-IntercomContactSubscription -ContactId {Grace} -SubscriptionId {SampleData.Newsletters} -Confirm:$false");

        Assert.StartsWith("IntercomConnectionFailed,", Assert.Single(result.Errors).FullyQualifiedErrorId);
        Assert.Single(Server.Requests, r => r.Method == "DELETE");
    }

    [Fact]
    public void A_token_with_an_embedded_NUL_is_refused_without_a_request()
    {
        Server.ResetLog();

        var result = Run($"Connect-Intercom -BaseUri $baseUri -Token {PowerShellSnippets.SecureString("\"abc`0def\"")}",
            new() { ["baseUri"] = Server.BaseUri });

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomInvalidToken,", error.FullyQualifiedErrorId);
        Assert.Contains("control character (U+0000)", error.ToString());
        Assert.Empty(Server.Requests);
    }
}
