using System.Management.Automation;

namespace IntercomSubscriptions.Tests;

/// <summary>-Summary, -TimeLimit and -SummaryVariable: one summary object per run, however the run ends.</summary>
public sealed class RunSummaryTests : IntercomTestBase
{
    private string[] AddContacts(int count, string prefix = "sum")
    {
        var ids = Enumerable.Range(0, count).Select(i => $"{prefix}{i:D5}").ToArray();
        foreach (var id in ids) Server.State.AddContact(id);
        return ids;
    }

    private static PSObject Row(string column, string value)
    {
        var row = new PSObject();
        row.Properties.Add(new PSNoteProperty(column, value));
        return row;
    }

    private static dynamic OnlySummary(ScriptResult result)
    {
        var output = Assert.Single(result.Output);
        Assert.Equal("IntercomSubscriptions.IntercomRunSummary", output.BaseObject.GetType().FullName);
        return new PSView(output);
    }

    [Fact]
    public void Summary_counts_a_batch_with_bad_rows_exactly_and_writes_nothing_else()
    {
        var good = AddContacts(20);
        Connect();
        Server.ResetLog();
        var rows = good.Select(id => Row("contact_id", id)).ToList();
        rows.Insert(5, Row("contact_id", "missing00001"));      // 404 from Intercom
        rows.Insert(9, Row("contact_id", "missing00002"));
        rows.Insert(12, Row("name", "no contact column"));       // refused before any request
        rows.Insert(15, Row("email", "nobody@example.com"));     // the search finds no one

        var result = Run("$rows | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary",
            new() { ["rows"] = rows.ToArray() });

        var run = OnlySummary(result);
        Assert.Equal("Completed", run.Status.ToString());
        Assert.Equal(24L, (long)run.Total);
        Assert.Equal(20L, (long)run.Succeeded);
        Assert.Equal(4L, (long)run.Failed);
        Assert.Equal(0L, (long)run.Skipped);
        Assert.Equal(24L, (long)run.Handled);
        Assert.Equal(0L, (long)run.NotProcessed);
        Assert.Equal(24L, (long)run.Received);
        // Every request of the run went through the counter: 22 attaches and one search.
        Assert.Equal((long)Server.Requests.Count(r => r.Method == "POST"), (long)run.Requests);
        Assert.Equal(23L, (long)run.Requests);
        Assert.Equal(4, result.Errors.Count); // the error stream still has them, as usual
        var errors = ((IEnumerable<ErrorRecord>)run.Errors).ToList();
        // In the order the errors happened (the row without a contact column may fail before earlier rows' answers come back).
        var failedRows = new[] { rows[5], rows[9], rows[12], rows[15] };
        Assert.Equal(failedRows.Select(r => rows.IndexOf(r)), errors.Select(e => rows.IndexOf((PSObject)e.TargetObject)).Order());
        Assert.Equal(["IntercomContactColumnMissing", "IntercomContactNotFound", "IntercomContactNotFound", "IntercomContactNotFound"],
            errors.Select(e => e.FullyQualifiedErrorId).Order());
        Assert.Contains("missing00001", errors.Single(e => e.TargetObject == rows[5]).Exception.Message);
        foreach (var id in good)
            Assert.Equal("opt_in", Server.State.GetChoices(id)["108"]);
    }

    [Fact]
    public void The_failed_rows_re_run_from_the_summary_errors_target_objects()
    {
        var good = AddContacts(6);
        Connect();
        var rows = good.Select(id => Row("contact_id", id))
            .Append(Row("contact_id", "late00001")).Append(Row("contact_id", "late00002")).ToArray();

        var first = Run("""
            $run = $rows | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -ErrorAction SilentlyContinue
            $run
            """, new() { ["rows"] = rows });
        Assert.Equal(2L, (long)OnlySummary(first).Failed);
        Server.State.AddContact("late00001");
        Server.State.AddContact("late00002");
        Server.ResetLog();

        var again = Run("$run.Errors.TargetObject | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary");

        var rerun = OnlySummary(again);
        Assert.Equal(2L, (long)rerun.Total);
        Assert.Equal(2L, (long)rerun.Succeeded);
        Assert.Empty(again.Errors);
        Assert.Equal(["/contacts/late00001/subscriptions", "/contacts/late00002/subscriptions"],
            Server.Requests.Where(r => r.Method == "POST").Select(r => r.RawPath).Order());
        Assert.Equal("opt_in", Server.State.GetChoices("late00002")["108"]);
    }

    [Fact]
    public void Remove_with_Summary_writes_one_summary_and_removes_every_choice()
    {
        var ids = AddContacts(5);
        foreach (var id in ids) Server.State.SetChoice(id, "108", "opt_in");
        Connect();

        var result = Run("$ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } } | Remove-IntercomContactSubscription -SubscriptionId 108 -Confirm:$false -Summary",
            new() { ["ids"] = ids });

        var run = OnlySummary(result);
        Assert.Equal("Remove-IntercomContactSubscription", (string)run.Command);
        Assert.Equal(5L, (long)run.Succeeded);
        Assert.Equal(5L, (long)run.Total);
        foreach (var id in ids)
            Assert.Empty(Server.State.GetChoices(id));
    }

    [Fact]
    public void WhatIf_rows_are_counted_as_skipped()
    {
        var ids = AddContacts(3);
        Connect();
        Server.ResetLog();

        var run = OnlySummary(Run("$ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } } | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -WhatIf",
            new() { ["ids"] = ids }));

        Assert.Equal(3L, (long)run.Skipped);
        Assert.Equal(3L, (long)run.Total);
        Assert.DoesNotContain(Server.Requests, r => r.Method == "POST");
    }

    [Fact]
    public void After_the_time_limit_nothing_new_is_sent_and_the_summary_says_where_to_resume()
    {
        var ids = AddContacts(200);
        Connect();
        Server.Faults.LatencyMs = 100; // two at a time: the 200 rows would take ten seconds, ten times the limit
        Server.ResetLog();

        var result = Run("$ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } } | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -ThrottleLimit 2 -TimeLimit 00:00:01 -Summary",
            new() { ["ids"] = ids });

        var run = OnlySummary(result);
        Assert.Equal("TimeLimitReached", run.Status.ToString());
        long handled = run.Handled;
        Assert.Equal(handled, (long)run.Total);
        Assert.Equal(200L, handled + (long)run.NotProcessed);
        Assert.InRange(handled, 1, 199);
        // What was in flight finished; nothing after the handled rows was sent.
        Assert.Equal(handled, (long)run.Succeeded);
        Assert.All(ids.Take((int)handled), id => Assert.Equal("opt_in", Server.State.GetChoices(id)["108"]));
        Assert.All(ids.Skip((int)handled), id => Assert.Empty(Server.State.GetChoices(id)));
        Assert.Equal(handled, Server.Requests.Count(r => r.Method == "POST"));
        Assert.Contains(result.Warnings, w => w.Contains($"Select-Object -Skip {handled}"));
    }

    [Fact]
    public void A_stopped_run_leaves_its_summary_in_the_SummaryVariable()
    {
        var ids = AddContacts(2000);
        Connect();
        Server.Faults.LatencyMs = 200;
        Server.ResetLog();

        var result = Shell.Run("$ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } } | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -SummaryVariable run",
            new() { ["ids"] = ids },
            whileRunning: shell =>
            {
                SpinWait.SpinUntil(() => Server.Requests.Count >= 16, TimeSpan.FromSeconds(30));
                Assert.True(Task.Run(shell.Stop).Wait(TimeSpan.FromSeconds(10)), "Stop() did not return");
            });
        Assert.Empty(result.Output); // PowerShell takes no output from a stopping pipeline

        var run = OnlySummary(Run("$run"));
        Assert.Equal("Stopped", run.Status.ToString());
        long succeeded = run.Succeeded, inDoubt = run.InDoubt;
        Assert.Equal(succeeded + inDoubt, (long)run.Total);
        Assert.True((long)run.NotProcessed > 0, $"NotProcessed {run.NotProcessed}, Handled {run.Handled}, Total {run.Total}, Failed {run.Failed}, Requests {run.Requests}");
        Assert.Equal((long)run.Received, (long)run.Total + (long)run.NotProcessed);
        Assert.InRange((long)run.Handled, 0, succeeded);
        // Each success was a request the server answered; a change it applied whose answer the stop cut off is in doubt, never not processed.
        var changed = ids.Count(id => Server.State.GetChoices(id).Count > 0);
        Assert.InRange(changed, succeeded, succeeded + inDoubt);
    }

    [Fact]
    public void A_terminating_error_writes_the_summary_before_it()
    {
        var ids = AddContacts(3);
        Connect();
        var rows = ids.Select(id => Row("contact_id", id)).Append(Row("contact_id", "missing00009")).ToArray();

        var result = Run("""
            try { $rows | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -ThrottleLimit 1 -Summary -ErrorAction Stop }
            catch { "caught $($_.FullyQualifiedErrorId)" }
            """, new() { ["rows"] = rows });

        dynamic run = new PSView(Assert.Single(result.Output, o => o.BaseObject is not string));
        Assert.Equal("Failed", run.Status.ToString());
        Assert.Equal(1L, (long)run.Failed);
        Assert.Equal(3L, (long)run.Succeeded);
        Assert.Contains(result.Output, o => o.BaseObject is string s && s.StartsWith("caught IntercomContactNotFound", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bare_number_for_TimeLimit_is_refused_before_any_request()
    {
        var ids = AddContacts(1);
        Connect();
        Server.ResetLog();

        var result = Run("$ids | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -TimeLimit 60 -Summary", new() { ["ids"] = ids });

        var error = Assert.Single(result.Errors);
        Assert.Contains("a bare number is read as ticks", error.ToString());
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void The_list_view_names_only_properties_the_summary_has()
    {
        var ids = AddContacts(1);
        Connect();
        var run = Assert.Single(Run("$ids | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary", new() { ["ids"] = ids }).Output);

        var formats = System.Xml.Linq.XDocument.Load(Path.Combine(PowerShellSession.RepositoryRoot, "src/IntercomSubscriptions/IntercomSubscriptions.format.ps1xml"));
        var view = Assert.Single(formats.Descendants("View"), v => (string?)v.Element("Name") == "IntercomSubscriptions.IntercomRunSummary");
        var shown = view.Descendants("PropertyName").Select(p => p.Value).ToList();
        Assert.Contains("Succeeded", shown);
        Assert.All(shown, name => Assert.NotNull(run.Properties[name]));
        Assert.All(view.Descendants("ScriptBlock"), block => Assert.NotNull(ScriptBlock.Create(block.Value)));
    }
}
