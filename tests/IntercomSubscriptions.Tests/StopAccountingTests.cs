using FakeIntercom;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// Counts that add up on every way a run ends: each change that was sent is Succeeded, Failed or
/// InDoubt, never NotProcessed, so Received = Succeeded + Failed + Skipped + InDoubt + NotProcessed
/// and what the fake applied is at most Succeeded + InDoubt; the journal names every change the fake
/// applied as applied or in doubt. The fake's AnswerDelayMs makes the changes real: it applies them,
/// then holds their answers, as a distant server does.
/// </summary>
public sealed class StopAccountingTests : IntercomTestBase, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("stop-accounting-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string JournalPath => Path.Combine(_directory, "run.jsonl");

    private string[] AddContacts(int count, string prefix)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"{prefix}{i:D5}").ToArray();
        foreach (var id in ids) Server.State.AddContact(id);
        return ids;
    }

    /// <summary>The contacts among <paramref name="ids"/> (those the fake has) with a choice for the type: what the fake applied.</summary>
    private HashSet<string> AppliedOnTheFake(IEnumerable<string> ids, string typeId = SampleData.Newsletters) =>
        ids.Where(id => Server.State.HasContact(id) && Server.State.GetChoices(id).ContainsKey(typeId)).ToHashSet();

    private static void AssertCountsAddUp(dynamic run)
    {
        long received = run.Received, succeeded = run.Succeeded, failed = run.Failed, skipped = run.Skipped, inDoubt = run.InDoubt, notProcessed = run.NotProcessed;
        Assert.True(received == succeeded + failed + skipped + inDoubt + notProcessed,
            $"Received {received} != Succeeded {succeeded} + Failed {failed} + Skipped {skipped} + InDoubt {inDoubt} + NotProcessed {notProcessed}");
    }

    /// <summary>Pipes <paramref name="ids"/> into Add with a journal and stops the pipeline (Ctrl+C's Stop()) once <paramref name="writes"/> changes reached the fake; returns how long Stop() took.</summary>
    private TimeSpan AddAndStop(string[] ids, int writes)
    {
        var stopTook = TimeSpan.Zero;
        var result = Shell.Run("$ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } } | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -SummaryVariable run -JournalPath $journal",
            new() { ["ids"] = ids, ["journal"] = JournalPath },
            whileRunning: shell =>
            {
                Assert.True(SpinWait.SpinUntil(() => Server.CallCount("POST /contacts/{id}/subscriptions") >= writes, TimeSpan.FromSeconds(60)));
                var clock = System.Diagnostics.Stopwatch.StartNew();
                Assert.True(Task.Run(shell.Stop).Wait(TimeSpan.FromSeconds(20)), "Stop() did not return");
                stopTook = clock.Elapsed;
            });
        Assert.Empty(result.Output); // PowerShell takes no output from a stopping pipeline
        return stopTook;
    }

    private dynamic Summary(string variable = "run") => new PSView(Assert.Single(Run("$" + variable).Output));

    [Fact]
    public void Every_contact_of_a_parameter_array_is_a_record()
    {
        foreach (var id in new[] { "c1", "c3", "c4" }) Server.State.AddContact(id);
        Connect();

        var run = new PSView(Assert.Single(Run("Add-IntercomContactSubscription -ContactId c1,c3,c4,bad -SubscriptionId 110 -Summary -ErrorAction SilentlyContinue").Output));

        Assert.Equal((4L, 4L, 3L, 1L, 0L), ((long)((dynamic)run).Received, (long)((dynamic)run).Total, (long)((dynamic)run).Succeeded, (long)((dynamic)run).Failed, (long)((dynamic)run).NotProcessed));
        Assert.Equal(4L, (long)((dynamic)run).Handled); // $ids | Select-Object -Skip 4
        Assert.Equal(["c1", "c3", "c4"], AppliedOnTheFake(["c1", "c3", "c4", "bad"], SampleData.SmsOffers).Order());
    }

    [Fact]
    public void Ctrl_C_lets_the_changes_on_the_wire_be_answered_and_counts_every_one_the_fake_applied()
    {
        var ids = AddContacts(2000, "cc");
        Connect();
        Server.Faults.LatencyMs = 100;
        Server.Faults.AnswerDelayMs = 150; // applied, then answered 150 ms later: well inside the grace
        Server.ResetLog();

        var stopTook = AddAndStop(ids, writes: 40);

        var run = Summary();
        Assert.Equal("Stopped", run.Status.ToString());
        AssertCountsAddUp(run);
        var applied = AppliedOnTheFake(ids);
        // Every change on the wire was answered within the grace: each applied change is a success.
        Assert.Equal(0L, (long)run.InDoubt);
        Assert.Equal((long)applied.Count, (long)run.Succeeded);
        Assert.True((long)run.NotProcessed > 0);
        Assert.True(stopTook < BulkRunGrace + TimeSpan.FromSeconds(2), $"Stop() took {stopTook}");
        var journal = JournalFile.Read(JournalPath);
        Assert.Equal(applied.Order(), journal.Applied.Order());
        Assert.Equal(0, journal.Count("in_doubt"));
    }

    [Fact]
    public void Ctrl_C_abandons_answers_slower_than_the_grace_and_counts_them_in_doubt_never_not_processed()
    {
        var ids = AddContacts(600, "slow");
        Connect();
        Server.Faults.AnswerDelayMs = 8000; // applied at once, answered long after the grace
        Server.ResetLog();

        // Without rate-limit headers the connection keeps 8 requests in flight: the first 8 are on the wire, applied, unanswered.
        var stopTook = AddAndStop(ids, writes: 8);

        var run = Summary();
        AssertCountsAddUp(run);
        var applied = AppliedOnTheFake(ids);
        long succeeded = run.Succeeded, inDoubt = run.InDoubt;
        Assert.True(inDoubt >= 8, $"InDoubt {inDoubt}");
        Assert.True(applied.Count <= succeeded + inDoubt, $"the fake applied {applied.Count}, the summary has {succeeded} + {inDoubt} in doubt");
        Assert.InRange(stopTook, BulkRunGrace - TimeSpan.FromMilliseconds(200), BulkRunGrace + TimeSpan.FromSeconds(3));
        // The summary names them (up to its bound), each with its record.
        var named = ((IEnumerable<object>)run.InDoubtChanges).Select(c => (string)((dynamic)new PSView(System.Management.Automation.PSObject.AsPSObject(c))).ContactId).ToHashSet();
        Assert.Equal(Math.Min(inDoubt, 100), named.Count);
        // The journal: every change the fake applied is there as applied or in doubt.
        var journal = JournalFile.Read(JournalPath);
        Assert.Subset(journal.MayHaveApplied, applied);
        Assert.Equal(inDoubt, journal.Count("in_doubt"));
    }

    [Fact]
    public void After_the_time_limit_what_is_on_the_wire_finishes_and_every_applied_change_is_a_success()
    {
        var ids = AddContacts(300, "tl");
        Connect();
        Server.Faults.LatencyMs = 50;
        Server.Faults.AnswerDelayMs = 200;
        Server.ResetLog();

        var result = Run("$ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } } | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -ThrottleLimit 8 -TimeLimit 00:00:01 -Summary -JournalPath $journal",
            new() { ["ids"] = ids, ["journal"] = JournalPath });

        dynamic run = new PSView(Assert.Single(result.Output));
        Assert.Equal("TimeLimitReached", run.Status.ToString());
        AssertCountsAddUp(run);
        var applied = AppliedOnTheFake(ids);
        Assert.Equal((long)applied.Count, (long)run.Succeeded);
        Assert.Equal(0L, (long)run.InDoubt);
        Assert.Equal((long)run.Succeeded, (long)run.Handled);
        Assert.Equal(applied.Order(), ids.Take((int)(long)run.Handled).Order());
        Assert.Equal(applied.Order(), JournalFile.Read(JournalPath).Applied.Order());
        Assert.Contains(result.Warnings, w => w.Contains($"Select-Object -Skip {run.Handled} on this run's input", StringComparison.Ordinal));
    }

    [Fact]
    public void Under_ErrorAction_Stop_the_changes_in_flight_finish_and_are_counted()
    {
        var ids = AddContacts(40, "eas").ToList();
        ids.Insert(10, "63a07ddf05a32042dffac999"); // no such contact: 404
        Connect();
        Server.Faults.LatencyMs = 50;
        Server.Faults.AnswerDelayMs = 100;

        var result = Run("""
            try { $ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } } | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -ThrottleLimit 6 -Summary -SummaryVariable run -ErrorAction Stop -JournalPath $journal }
            catch { 'caught ' + $_.FullyQualifiedErrorId }
            """, new() { ["ids"] = ids.ToArray(), ["journal"] = JournalPath });

        Assert.Contains(result.Output, o => o.BaseObject is string s && s.StartsWith("caught IntercomContactNotFound", StringComparison.Ordinal));
        var run = Summary();
        Assert.Equal("Failed", run.Status.ToString());
        AssertCountsAddUp(run);
        var applied = AppliedOnTheFake(ids);
        Assert.Equal((long)applied.Count, (long)run.Succeeded);
        Assert.Equal(1L, (long)run.Failed);
        Assert.True((long)run.NotProcessed > 0);
        Assert.Equal(applied.Order(), JournalFile.Read(JournalPath).Applied.Order());
    }

    [Fact]
    public void A_change_that_timed_out_after_the_fake_applied_it_is_in_doubt_with_its_error_and_does_not_stop_Handled()
    {
        var ids = AddContacts(3, "to");
        Connect("-TimeoutSec 1 -MaxRetries 0");
        Server.Faults.AnswerDelayMs = 1500;

        var result = Run("$ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } } | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -ErrorAction SilentlyContinue -JournalPath $journal",
            new() { ["ids"] = ids, ["journal"] = JournalPath });

        dynamic run = new PSView(Assert.Single(result.Output));
        AssertCountsAddUp(run);
        Assert.Equal((3L, 0L, 0L), ((long)run.InDoubt, (long)run.Failed, (long)run.Succeeded));
        Assert.Equal(3L, (long)run.Handled); // in doubt with an error: in Errors, to re-run like a failure
        Assert.All((IEnumerable<System.Management.Automation.ErrorRecord>)run.Errors, e => Assert.Equal("IntercomTimeout", e.FullyQualifiedErrorId));
        Assert.All((IEnumerable<System.Management.Automation.ErrorRecord>)run.Errors, e => Assert.Contains("may have applied", e.Exception.Message));
        Assert.Equal(3, AppliedOnTheFake(ids).Count);
        var journal = JournalFile.Read(JournalPath);
        Assert.Equal(3, journal.Count("in_doubt"));
        Assert.All(journal.Changes, c => Assert.Equal("IntercomTimeout", c.ErrorId));
        Assert.Contains(result.Warnings, w => w.StartsWith("3 changes are in doubt", StringComparison.Ordinal));
    }

    [Fact]
    public void A_change_Intercom_answered_with_a_5xx_to_the_last_is_in_doubt_and_one_it_refused_failed()
    {
        var ids = AddContacts(3, "sx");
        Connect("-MaxRetries 0");
        Server.Faults.EnqueueScripted(new ScriptedResponse(500, """{"type":"error.list","errors":[{"code":"server_error","message":"Boom"}]}""")
            { Method = "POST", PathContains = ids[0], Times = 1 });
        Server.Faults.EnqueueScripted(new ScriptedResponse(422, """{"type":"error.list","errors":[{"code":"parameter_invalid","message":"No"}]}""")
            { Method = "POST", PathContains = ids[1], Times = 1 });

        var result = Run("$ids | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -ErrorAction SilentlyContinue -JournalPath $journal",
            new() { ["ids"] = ids, ["journal"] = JournalPath });

        dynamic run = new PSView(Assert.Single(result.Output));
        AssertCountsAddUp(run);
        // A server that failed while handling a change does not say it was not applied; a 4xx does.
        Assert.Equal((1L, 1L, 1L), ((long)run.InDoubt, (long)run.Failed, (long)run.Succeeded));
        Assert.Equal(["IntercomInvalidRequest", "IntercomServerError"],
            ((IEnumerable<System.Management.Automation.ErrorRecord>)run.Errors).Select(e => e.FullyQualifiedErrorId).Order());
        var journal = JournalFile.Read(JournalPath);
        Assert.Equal(new[] { ("applied", ids[2]), ("failed", ids[1]), ("in_doubt", ids[0]) },
            journal.Changes.Select(c => (c.Outcome, c.ContactId)).Order());
    }

    [Fact]
    public void A_journal_that_cannot_be_opened_ends_the_run_before_anything_is_sent()
    {
        var ids = AddContacts(3, "nj");
        Connect();
        Server.ResetLog();

        var result = Run("""
            try { $ids | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -JournalPath $journal }
            catch [IntercomSubscriptions.IntercomJournalException] { "caught $($_.Exception.ErrorId) $($_.Exception.Kind)" }
            """, new() { ["ids"] = ids, ["journal"] = Path.Combine(_directory, "no-such-folder", "j.jsonl") });

        Assert.Equal("caught IntercomJournalFailed JournalFailed", Assert.Single(result.Output).BaseObject);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void Resume_after_a_stop_skips_what_the_journal_shows_applied_reads_what_it_has_in_doubt_and_sends_no_change_twice()
    {
        var ids = AddContacts(400, "rs");
        Connect();
        Server.Faults.AnswerDelayMs = 6000; // the changes on the wire at the stop end in doubt
        Server.ResetLog();
        AddAndStop(ids, writes: 30);
        var first = Summary();
        Assert.True((long)first.InDoubt > 0);
        var appliedBefore = AppliedOnTheFake(ids);
        Server.Faults.AnswerDelayMs = 0;
        var postsBefore = Server.Requests.Where(r => r.Method == "POST").Select(r => r.RawPath).ToList();

        var result = Run("$ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } } | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -JournalPath $journal -Resume",
            new() { ["ids"] = ids, ["journal"] = JournalPath });

        dynamic resumed = new PSView(Assert.Single(result.Output));
        AssertCountsAddUp(resumed);
        Assert.Equal(400, AppliedOnTheFake(ids).Count);
        // No contact got a second change: what the fake applied before is skipped or read, never sent again.
        var posts = Server.Requests.Where(r => r.Method == "POST").Select(r => r.RawPath).ToList();
        Assert.Equal(400, posts.Count);
        Assert.Equal(400, posts.Distinct().Count());
        Assert.Equal((long)appliedBefore.Count, (long)resumed.AlreadyApplied);
        Assert.Equal(400L - appliedBefore.Count, (long)resumed.Succeeded);
        // The ones in doubt were read, once each.
        Assert.Equal((long)first.InDoubt, Server.CallCount("GET /contacts/{id}/subscriptions"));
        Assert.Empty(postsBefore.Intersect(posts.Skip(postsBefore.Count)));
    }

    /// <summary>BulkRun's grace after a stop, as documented: 2 s.</summary>
    private static readonly TimeSpan BulkRunGrace = TimeSpan.FromSeconds(2);
}
