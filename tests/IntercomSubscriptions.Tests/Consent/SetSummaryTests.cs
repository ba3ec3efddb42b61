using System.Management.Automation;
using FakeIntercom;

namespace IntercomSubscriptions.Tests.Consent;

/// <summary>
/// Set-IntercomContactSubscription with -Summary, -TimeLimit and -SummaryVariable: a record is
/// counted once its write is done (or found unneeded, or declined), not when its read comes back.
/// </summary>
public sealed class SetSummaryTests : IntercomTestBase
{
    private const string Attaches = "POST /contacts/{id}/subscriptions";
    private const string Reads = "GET /contacts/{id}/subscriptions";

    private string[] AddContacts(int count, string prefix)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"{prefix}{i:D5}").ToArray();
        foreach (var id in ids) Server.State.AddContact(id);
        return ids;
    }

    private static PSObject Row(string contactId, string state)
    {
        var row = new PSObject();
        row.Properties.Add(new PSNoteProperty("contact_id", contactId));
        row.Properties.Add(new PSNoteProperty("state", state));
        return row;
    }

    private static dynamic OnlySummary(ScriptResult result)
    {
        var output = Assert.Single(result.Output);
        Assert.Equal("IntercomSubscriptions.IntercomRunSummary", output.BaseObject.GetType().FullName);
        return new PSView(output);
    }

    /// <summary>
    /// The next opt-in of <paramref name="contactId"/> is refused (422: Intercom says no, so nothing was
    /// applied and the record fails; a 5xx would leave it in doubt).
    /// </summary>
    private void FailNextWriteOf(string contactId) =>
        Server.Faults.EnqueueScripted(new ScriptedResponse(422, "{\"type\":\"error.list\",\"errors\":[{\"code\":\"parameter_invalid\",\"message\":\"Boom\"}]}")
            { Method = "POST", PathContains = contactId, Times = 1 });

    [Fact]
    public void Summary_counts_changes_rows_already_right_a_bad_row_and_a_failed_write_exactly()
    {
        var change = AddContacts(6, "chg");
        var alreadyRight = AddContacts(3, "same");
        foreach (var id in alreadyRight) Server.State.SetChoice(id, SampleData.Newsletters, "opt_in");
        var failing = AddContacts(1, "fail")[0];
        Connect("-MaxRetries 0");
        Server.ResetLog();
        FailNextWriteOf(failing);
        var rows = change.Take(3).Select(id => Row(id, "Subscribed"))
            .Append(Row(failing, "Subscribed"))
            .Concat(alreadyRight.Select(id => Row(id, "Subscribed")))
            .Append(Row("bad00001", "Maybe"))                // refused before any request
            .Append(Row("missing00001", "Subscribed"))      // the read fails: 404
            .Concat(change.Skip(3).Select(id => Row(id, "Subscribed")))
            .ToArray();

        var result = Run($"$rows | Set-IntercomContactSubscription -SubscriptionId {SampleData.Newsletters} -Summary -Confirm:$false",
            new() { ["rows"] = rows });

        var run = OnlySummary(result); // no ContactSubscriptionChange objects
        Assert.Equal("Set-IntercomContactSubscription", (string)run.Command);
        Assert.Equal("Completed", run.Status.ToString());
        Assert.Equal(12L, (long)run.Total);
        Assert.Equal(9L, (long)run.Succeeded);   // 6 changed, 3 already right (no write)
        Assert.Equal(3L, (long)run.Failed);      // the bad row, the unknown contact, the failed write
        Assert.Equal(0L, (long)run.Skipped);
        Assert.Equal(12L, (long)run.Handled);
        Assert.Equal(0L, (long)run.NotProcessed);
        // 11 reads (all but the bad row) and 6 opt-ins plus the one that failed; the rows already right cost no write.
        Assert.Equal(11, Server.CallCount(Reads));
        Assert.Equal(7, Server.CallCount(Attaches));
        Assert.Equal(18L, (long)run.Requests);
        Assert.Equal(3, result.Errors.Count);
        var errors = ((IEnumerable<ErrorRecord>)run.Errors).ToList();
        Assert.Equal(new[] { rows[3], rows[7], rows[8] }.Select(r => Array.IndexOf(rows, r)),
            errors.Select(e => Array.IndexOf(rows, (PSObject)e.TargetObject)).Order());
        var writeError = errors.Single(e => e.TargetObject == rows[3]);
        Assert.Contains(failing, writeError.Exception.Message);
        Assert.Null(writeError.Exception.InnerException); // kept lean
        Assert.False(Server.State.GetChoices(failing).ContainsKey(SampleData.Newsletters));
        foreach (var id in change.Concat(alreadyRight))
            Assert.Equal("opt_in", Server.State.GetChoices(id)[SampleData.Newsletters]);
    }

    [Fact]
    public void The_failed_rows_re_run_from_the_summary_errors_target_objects()
    {
        var good = AddContacts(4, "ok");
        var failing = AddContacts(1, "retry")[0];
        Connect("-MaxRetries 0");
        FailNextWriteOf(failing);
        var rows = good.Take(2).Select(id => Row(id, "Subscribed")).Append(Row(failing, "Subscribed"))
            .Append(Row(good[2], "Sometimes")).Append(Row(good[3], "Subscribed")).ToArray();

        var first = OnlySummary(Run($$"""
            $run = $rows | Set-IntercomContactSubscription -SubscriptionId {{SampleData.Newsletters}} -Summary -Confirm:$false -ErrorAction SilentlyContinue
            $run
            """, new() { ["rows"] = rows }));
        Assert.Equal(2L, (long)first.Failed);
        Server.ResetLog();

        var again = Run($"$run.Errors.TargetObject | Set-IntercomContactSubscription -SubscriptionId {SampleData.Newsletters} -Summary -Confirm:$false -ErrorAction SilentlyContinue");

        var run = OnlySummary(again);
        Assert.Equal(2L, (long)run.Total);
        Assert.Equal(1L, (long)run.Succeeded); // the write that failed goes through now
        Assert.Equal(1L, (long)run.Failed);    // the bad state is still bad
        Assert.Same(rows[3], ((IEnumerable<ErrorRecord>)run.Errors).Single().TargetObject);
        Assert.Equal("opt_in", Server.State.GetChoices(failing)[SampleData.Newsletters]);
        Assert.Equal(1, Server.CallCount(Reads));
        Assert.Equal(1, Server.CallCount(Attaches));
    }

    [Fact]
    public void WhatIf_counts_the_changes_it_declines_as_skipped_and_the_rows_already_right_as_succeeded()
    {
        var change = AddContacts(3, "wi");
        var alreadyRight = AddContacts(2, "wiok");
        foreach (var id in alreadyRight) Server.State.SetChoice(id, SampleData.Newsletters, "opt_in");
        Connect();
        Server.ResetLog();
        var rows = change.Concat(alreadyRight).Select(id => Row(id, "Subscribed")).ToArray();

        var run = OnlySummary(Run($"$rows | Set-IntercomContactSubscription -SubscriptionId {SampleData.Newsletters} -Summary -WhatIf",
            new() { ["rows"] = rows }));

        Assert.Equal(5L, (long)run.Total);
        Assert.Equal(3L, (long)run.Skipped);
        Assert.Equal(2L, (long)run.Succeeded);
        Assert.Equal(0L, (long)run.Failed);
        Assert.Equal(0, Server.CallCount(Attaches));
        Assert.Equal(5, Server.CallCount(Reads));
    }

    [Fact]
    public void After_the_time_limit_nothing_new_is_read_or_written_and_the_summary_says_where_to_resume()
    {
        var ids = AddContacts(200, "tl");
        Connect();
        Server.Faults.LatencyMs = 100; // two at a time, a read and a write each: the 200 rows would take twenty seconds
        Server.ResetLog();

        var result = Run($"$ids | ForEach-Object {{ [pscustomobject]@{{ contact_id = $_; state = 'Subscribed' }} }} | Set-IntercomContactSubscription -SubscriptionId {SampleData.Newsletters} -ThrottleLimit 2 -TimeLimit 00:00:01 -Summary -Confirm:$false",
            new() { ["ids"] = ids });

        var run = OnlySummary(result);
        Assert.Equal("TimeLimitReached", run.Status.ToString());
        long handled = run.Handled;
        Assert.InRange(handled, 1, 199);
        Assert.Equal(handled, (long)run.Total);
        Assert.Equal(handled, (long)run.Succeeded);
        Assert.Equal(200L, handled + (long)run.NotProcessed);
        // Every record begun before the limit was read and written; nothing after it was sent.
        Assert.All(ids.Take((int)handled), id => Assert.Equal("opt_in", Server.State.GetChoices(id)[SampleData.Newsletters]));
        Assert.All(ids.Skip((int)handled), id => Assert.Empty(Server.State.GetChoices(id)));
        Assert.Equal(handled, Server.CallCount(Reads));
        Assert.Equal(handled, Server.CallCount(Attaches));
        Assert.Contains(result.Warnings, w => w.Contains($"Select-Object -Skip {handled}"));
    }

    [Fact]
    public void A_failed_write_under_ErrorAction_Stop_writes_the_summary_then_the_error()
    {
        var ids = AddContacts(5, "stop");
        Connect("-MaxRetries 0");
        FailNextWriteOf(ids[2]);
        var rows = ids.Select(id => Row(id, "Subscribed")).ToArray();

        var result = Run($$"""
            try { $rows | Set-IntercomContactSubscription -SubscriptionId {{SampleData.Newsletters}} -ThrottleLimit 1 -Summary -Confirm:$false -ErrorAction Stop }
            catch { "caught $($_.FullyQualifiedErrorId)" }
            """, new() { ["rows"] = rows });

        Assert.Equal(2, result.Output.Count);
        dynamic run = new PSView(result.Output[0]);
        Assert.Equal("Failed", run.Status.ToString());
        Assert.Equal(1L, (long)run.Failed);
        Assert.Same(rows[2], ((IEnumerable<ErrorRecord>)run.Errors).Single().TargetObject);
        long succeeded = run.Succeeded;
        Assert.Equal(succeeded + 1, (long)run.Total);
        Assert.InRange(succeeded, 2, 4);
        Assert.Equal(succeeded, ids.Count(id => Server.State.GetChoices(id).ContainsKey(SampleData.Newsletters)));
        Assert.StartsWith("caught ", (string)result.Output[1].BaseObject);
    }

    [Fact]
    public void A_stopped_run_leaves_its_summary_in_the_SummaryVariable()
    {
        var ids = AddContacts(2000, "ctl");
        Connect();
        Server.Faults.LatencyMs = 200;
        Server.ResetLog();

        var result = Shell.Run($"$ids | ForEach-Object {{ [pscustomobject]@{{ contact_id = $_; state = 'Subscribed' }} }} | Set-IntercomContactSubscription -SubscriptionId {SampleData.Newsletters} -Summary -SummaryVariable run -Confirm:$false",
            new() { ["ids"] = ids },
            whileRunning: shell =>
            {
                SpinWait.SpinUntil(() => Server.CallCount(Attaches) >= 16, TimeSpan.FromSeconds(30));
                Assert.True(Task.Run(shell.Stop).Wait(TimeSpan.FromSeconds(10)), "Stop() did not return");
            });
        Assert.Empty(result.Output);

        var run = OnlySummary(Run("$run"));
        Assert.Equal("Stopped", run.Status.ToString());
        long succeeded = run.Succeeded, inDoubt = run.InDoubt;
        Assert.True(succeeded > 0, "no write was counted");
        Assert.Equal(succeeded + inDoubt, (long)run.Total);
        Assert.True((long)run.NotProcessed > 0);
        Assert.Equal((long)run.Received, (long)run.Total + (long)run.NotProcessed);
        // Each success is a write the server answered; a write it applied whose answer the stop cut off is in doubt.
        var changed = ids.Count(id => Server.State.GetChoices(id).Count > 0);
        Assert.InRange(changed, succeeded, succeeded + inDoubt);
    }
}
