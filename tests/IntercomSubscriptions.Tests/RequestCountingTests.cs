using System.Management.Automation;
using FakeIntercom;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// The run summary's wire counts against what the fake Intercom saw: every request the run sent,
/// every retry whatever phase of the answer failed, 429s apart from the pacer's own waits.
/// </summary>
public sealed class RequestCountingTests : IntercomTestBase
{
    private string[] AddContacts(int count, string prefix)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"{prefix}{i:D5}").ToArray();
        foreach (var id in ids) Server.State.AddContact(id);
        return ids;
    }

    private static PSObject[] Rows(IEnumerable<string> ids) => ids.Select(id =>
    {
        var row = new PSObject();
        row.Properties.Add(new PSNoteProperty("contact_id", id));
        return row;
    }).ToArray();

    private static dynamic OnlySummary(ScriptResult result) => new PSView(Assert.Single(result.Output));

    [Fact]
    public void Answers_that_time_out_while_their_body_is_read_count_each_retry()
    {
        var ids = AddContacts(4, "slowbody");
        Connect("-MaxRetries 1 -TimeoutSec 1");
        Server.ResetLog();
        // The status line and headers come at once, the body a few bytes every 400 ms: every attempt times out reading it.
        Server.Faults.DripChunkBytes = 16;
        Server.Faults.DripIntervalMs = 400;

        var run = OnlySummary(Run("$rows | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -ErrorAction SilentlyContinue",
            new() { ["rows"] = Rows(ids) }));

        Assert.Equal(8, Server.CallCount("POST /contacts/{id}/subscriptions"));
        // Each answer's status line said 200 before its body stalled: Intercom may well have applied them.
        Assert.Equal(4L, (long)run.InDoubt);
        Assert.Equal(0L, (long)run.Failed);
        Assert.Equal(8L, (long)run.Requests);
        Assert.Equal(4L, (long)run.Retries);
        Assert.Equal(0L, (long)run.RateLimitWaits);
    }

    [Fact]
    public void Answers_cut_off_mid_body_count_each_retry()
    {
        var ids = AddContacts(4, "cutbody");
        Connect("-MaxRetries 1");
        Server.ResetLog();
        Server.Faults.EnqueueScripted(new ScriptedResponse(200, """{"type":"subscription","id":"108","state":"live","consent_type":"opt_in","padding":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}""")
        {
            Method = "POST",
            PathContains = "/subscriptions",
            CutOffAfterBytes = 20,
            Times = 4,
        });

        var run = OnlySummary(Run("$rows | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary",
            new() { ["rows"] = Rows(ids) }));

        Assert.Equal(8, Server.CallCount("POST /contacts/{id}/subscriptions"));
        Assert.Equal(4L, (long)run.Succeeded);
        Assert.Equal(8L, (long)run.Requests);
        Assert.Equal(4L, (long)run.Retries);
    }

    [Fact]
    public void Waits_for_a_spent_window_are_counted_and_timed_apart_from_429s()
    {
        var ids = AddContacts(12, "paced");
        Connect();
        Server.Faults.RateLimitWindowSeconds = 1;
        Server.Faults.RateLimit = 5;
        Server.ResetLog();

        var run = OnlySummary(Run("$rows | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -ThrottleLimit 1",
            new() { ["rows"] = Rows(ids) }));

        Assert.Equal(12L, (long)run.Succeeded);
        Assert.Equal((long)Server.Requests.Count, (long)run.Requests);
        Assert.Equal(0L, (long)run.RateLimitWaits); // no 429: the pacer waited for each spent window instead
        Assert.InRange((long)run.PacingWaits, 1L, 12L);
        Assert.True((TimeSpan)run.PacingWaitTime > TimeSpan.Zero, $"PacingWaitTime {run.PacingWaitTime}");
        Assert.True((TimeSpan)run.PacingWaitTime <= (TimeSpan)run.Elapsed, $"PacingWaitTime {run.PacingWaitTime}, Elapsed {run.Elapsed}");
    }
}
