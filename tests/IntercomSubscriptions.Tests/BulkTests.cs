using System.Globalization;
using System.Management.Automation;

namespace IntercomSubscriptions.Tests;

/// <summary>Bulk runs: overlap, order, pacing by the rate-limit headers, retries and Ctrl+C.</summary>
public sealed class BulkTests : IntercomTestBase
{
    private string[] AddContacts(int count, string prefix = "bulk")
    {
        var ids = Enumerable.Range(0, count).Select(i => $"{prefix}{i:D5}").ToArray();
        foreach (var id in ids) Server.State.AddContact(id);
        return ids;
    }

    [Fact]
    public void Two_thousand_rows_through_faults_and_a_tight_rate_limit_each_give_exactly_one_result_in_input_order()
    {
        var ids = AddContacts(2000);
        Connect("-MaxRetries 6");
        Server.ResetLog();
        Server.Faults.RandomSeed = 7;
        Server.Faults.ServerErrorRate = 0.05;
        Server.Faults.DropConnectionRate = 0.02;
        Server.Faults.RateLimit = 120; // well below what the client reaches on loopback, so the limit binds
        Server.Faults.RateLimitWindowSeconds = 1;

        var result = Run("""
            $ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } } |
                Add-IntercomContactSubscription -SubscriptionId 110 -Consent opt_in -Verbose
            """, new() { ["ids"] = ids });

        Assert.Empty(result.Errors);
        Assert.Equal(ids, result.Objects("IntercomSubscriptions.ContactSubscription").Select(o => (string)o.ContactId));
        foreach (var id in ids)
            Assert.Equal(new Dictionary<string, string> { ["110"] = "opt_in" }, Server.State.GetChoices(id));
        var requests = Server.Requests;
        Assert.Contains(requests, r => r.StatusCode >= 500);   // the faults really happened …
        Assert.Contains(requests, r => r.Dropped);
        Assert.Equal(0, Server.RequestsWhileExhausted);        // … and the pacer never sent into a spent window
        Assert.Contains(result.Verbose, v => v.StartsWith("Rate limit:", StringComparison.Ordinal));
        Assert.Contains(result.Verbose, v => v.Contains("retry"));
    }

    [Fact]
    public void Rate_limit_waits_are_reported_once_per_wait_not_per_row()
    {
        var ids = AddContacts(120);
        Connect();
        Server.Faults.RateLimit = 50;
        Server.Faults.RateLimitWindowSeconds = 1;

        var result = Run("$ids | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Verbose",
            new() { ["ids"] = ids.Select(id => new PSObject(new { contact_id = id })).ToArray() });

        Assert.Empty(result.Errors);
        Assert.Equal(120, result.Output.Count);
        var waits = result.Verbose.Count(v => v.StartsWith("Rate limit:", StringComparison.Ordinal));
        Assert.InRange(waits, 1, 5); // 120 rows at 50 a window: two or three windows, never one message per row
        Assert.Equal(0, Server.RequestsWhileExhausted);
    }

    [Fact]
    public void A_429_is_retried_after_the_reset_and_never_reaches_the_user()
    {
        Connect();
        var reset = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1;
        Server.Faults.EnqueueScripted(new FakeIntercom.ScriptedResponse(429,
            """{"type":"error.list","request_id":"r-429","errors":[{"code":"rate_limit_exceeded","message":"Exceeded rate limit of 167 in 10_seconds"}]}""")
        {
            Method = "POST",
            Times = 2,
            Headers = new Dictionary<string, string> { ["X-RateLimit-Limit"] = "167", ["X-RateLimit-Remaining"] = "0", ["X-RateLimit-Reset"] = reset.ToString(CultureInfo.InvariantCulture) },
        });

        var result = Run($"Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId 108 -Consent opt_in -Verbose");

        Assert.Empty(result.Errors);
        Assert.Single(result.Output);
        var posts = ApiRequests("POST");
        Assert.Equal([429, 429, 200], posts.Select(p => p.StatusCode));
        // The retry after the first 429 waited for the window's reset instead of hammering.
        Assert.True(posts[1].ReceivedAt >= DateTimeOffset.FromUnixTimeSeconds(reset), $"second attempt at {posts[1].ReceivedAt:O}, reset {reset}");
        Assert.Equal("opt_in", Server.State.GetChoices(Grace)["108"]);
    }

    [Fact]
    public void Retries_exhausted_give_one_ResourceUnavailable_error_per_row_and_the_batch_goes_on()
    {
        Connect("-MaxRetries 1");
        Server.Faults.EnqueueScripted(new FakeIntercom.ScriptedResponse(503,
            """{"type":"error.list","request_id":"r-503","errors":[{"code":"service_unavailable","message":"Service Unavailable"}]}""")
        { PathContains = Ada, Times = 2 });

        var result = Run($$"""
            '{{Ada}}', '{{Grace}}' |
                ForEach-Object { [pscustomobject]@{ contact_id = $_ } } |
                Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in
            """);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomServerError,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
        Assert.Contains("r-503", error.ErrorDetails.Message);
        Assert.Contains("service_unavailable", error.ErrorDetails.Message);
        Assert.Equal(Grace, Assert.Single(result.Objects("IntercomSubscriptions.ContactSubscription")).ContactId);
        Assert.Equal(2, ApiRequests("POST").Count(r => r.RawPath.Contains("dffac965")));
    }

    [Fact]
    public void ThrottleLimit_1_is_strictly_sequential()
    {
        var ids = AddContacts(30);
        Connect();
        Server.Faults.LatencyMs = 20;
        Server.ResetLog();

        var result = Run("$ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } } | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -ThrottleLimit 1",
            new() { ["ids"] = ids });

        Assert.Empty(result.Errors);
        Assert.Equal(30, result.Output.Count);
        Assert.Equal(1, Server.MaxConcurrentRequests);
    }

    [Fact]
    public void The_default_keeps_several_requests_in_flight()
    {
        var ids = AddContacts(64);
        Connect();
        Server.Faults.LatencyMs = 50;
        Server.ResetLog();

        var result = Run("Add-IntercomContactSubscription -ContactId $ids -SubscriptionId 108 -Consent opt_in", new() { ["ids"] = ids });

        Assert.Empty(result.Errors);
        Assert.Equal(ids, result.Objects("IntercomSubscriptions.ContactSubscription").Select(o => (string)o.ContactId));
        Assert.InRange(Server.MaxConcurrentRequests, 2, 8);
    }

    [Fact]
    public void Stopping_mid_batch_cancels_in_flight_requests_and_sends_nothing_afterwards()
    {
        var ids = AddContacts(2000);
        Connect();
        Server.Faults.LatencyMs = 200;
        Server.ResetLog();
        var stoppedAt = DateTimeOffset.MinValue;
        var stopReturned = false;

        var result = Shell.Run("$ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } } | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in",
            new() { ["ids"] = ids },
            whileRunning: shell =>
            {
                SpinWait.SpinUntil(() => Server.Requests.Count >= 16, TimeSpan.FromSeconds(30));
                // A generous guard so a hang fails the test instead of the run; promptness is measured in bench/.
                stopReturned = Task.Run(shell.Stop).Wait(TimeSpan.FromSeconds(10));
                stoppedAt = DateTimeOffset.UtcNow;
            });

        Assert.True(stopReturned, "Stop() did not return");
        // Requests already on the wire when Stop() returned can reach the server's handler a moment
        // later (they are cut off there): at most the 8 that were in flight. Nothing new is sent.
        Thread.Sleep(1000);
        Assert.InRange(Server.Requests.Count(r => r.ReceivedAt > stoppedAt), 0, 8);
        var settled = Server.Requests.Count;
        Thread.Sleep(1000);
        Assert.Equal(settled, Server.Requests.Count);
        Assert.InRange(settled, 16, 200);
        Assert.True(result.Output.Count < ids.Length);
    }

    [Fact]
    public void Long_runs_write_progress_with_a_percentage_when_the_total_is_known()
    {
        var ids = AddContacts(120);
        Connect();
        Server.Faults.LatencyMs = 40;

        var result = Run("Add-IntercomContactSubscription -ContactId $ids -SubscriptionId 108 -Consent opt_in -ThrottleLimit 2", new() { ["ids"] = ids });

        Assert.Empty(result.Errors);
        var updates = result.Progress.Where(p => p.RecordType == ProgressRecordType.Processing).ToList();
        Assert.NotEmpty(updates);
        Assert.Contains(updates, p => p.PercentComplete > 0 && p.StatusDescription.Contains("of 120"));
        Assert.True(updates.Count < 40, $"{updates.Count} progress updates: too chatty");
        Assert.Contains(result.Progress, p => p.RecordType == ProgressRecordType.Completed);
    }

    [Fact]
    public void Progress_is_silent_under_SilentlyContinue()
    {
        var ids = AddContacts(60);
        Connect();
        Server.Faults.LatencyMs = 40;

        var result = Run("$ProgressPreference = 'SilentlyContinue'; Add-IntercomContactSubscription -ContactId $ids -SubscriptionId 108 -Consent opt_in -ThrottleLimit 1", new() { ["ids"] = ids });

        Assert.Empty(result.Errors);
        Assert.Equal(60, result.Output.Count);
        Assert.Empty(result.Progress);
    }
}
