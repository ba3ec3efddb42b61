using FakeIntercom;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// The journal through the cmdlets: what -JournalPath writes (and never writes), the session's
/// journal from Connect-Intercom, Get-IntercomJournal's entries, and the way back
/// (Get-IntercomJournal -Undo | Set-IntercomContactSubscription), checked on the fake's state.
/// </summary>
public sealed class JournalTests : IntercomTestBase, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("journal-cmdlets-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Journal(string name = "run.jsonl") => Path.Combine(_directory, name);

    private string[] AddContacts(int count, string prefix)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"{prefix}{i:D5}").ToArray();
        foreach (var id in ids) Server.State.AddContact(id, $"{id}@example.com");
        return ids;
    }

    private Dictionary<string, string> Choices(IEnumerable<string> ids) =>
        ids.ToDictionary(id => id, id => string.Join(" ", Server.State.GetChoices(id).OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}")));

    [Fact]
    public void Every_change_is_journaled_before_and_after_with_the_key_the_row_used_and_no_token()
    {
        var ids = AddContacts(3, "jl");
        Connect();

        var result = Run("""
            $ids | ForEach-Object { [pscustomobject]@{ email = "$_@example.com" } } | Add-IntercomContactSubscription -SubscriptionId 108 -JournalPath $journal | Out-Null
            Get-IntercomJournal $journal
            """, new() { ["ids"] = ids, ["journal"] = Journal() });

        var entries = result.Objects("IntercomSubscriptions.IntercomJournalEntry").ToList();
        Assert.Equal(ids, entries.Select(e => (string)e.ContactId).Order());
        Assert.All(entries, e =>
        {
            Assert.Equal("Applied", (string)e.Outcome.ToString());
            Assert.Equal("email", (string)e.Key);
            Assert.Equal($"{e.ContactId}@example.com", (string)e.KeyValue);
            Assert.Equal("Newsletters", (string)e.Name);
            Assert.Null((string?)e.ChoiceBefore); // Add does not read first
            Assert.False(string.IsNullOrEmpty((string)e.RequestId));
            Assert.Equal(Server.BaseUri.ToString(), (string)e.Workspace);
        });
        var text = File.ReadAllText(Journal());
        Assert.DoesNotContain(Server.Token, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Server.Token.Substring(Server.Token.Length - 4), text, StringComparison.Ordinal);
        Assert.All(File.ReadAllLines(Journal()), line => Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(line), 100, 1024));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Journal()));
        // Intent, outcome for each change, then the run's end.
        var kinds = JournalFile.Read(Journal()).Lines.Select(l => l.GetProperty("event").GetString()).ToList();
        Assert.Equal(3, kinds.Count(k => k == "intent"));
        Assert.Equal(3, kinds.Count(k => k == "outcome"));
        Assert.Equal("end", kinds[^1]);
    }

    [Fact]
    public void The_session_journal_from_Connect_Intercom_is_used_unless_a_run_names_its_own_and_WhatIf_writes_none()
    {
        var ids = AddContacts(2, "sj");
        Connect($"-JournalPath '{Journal("session.jsonl")}'");

        var result = Run("""
            (Get-IntercomConnection).JournalPath
            Add-IntercomContactSubscription -ContactId $ids[0] -SubscriptionId 108 | Out-Null
            Add-IntercomContactSubscription -ContactId $ids[1] -SubscriptionId 108 -JournalPath $own | Out-Null
            Remove-IntercomContactSubscription -ContactId $ids[0] -SubscriptionId 108 -WhatIf
            $r = Add-IntercomContactSubscription -ContactId $ids[0] -SubscriptionId 110 -Summary
            $r.JournalPath
            """, new() { ["ids"] = ids, ["own"] = Journal("own.jsonl") });

        Assert.Equal(new object[] { Journal("session.jsonl"), Journal("session.jsonl") }, result.Output.Select(o => o.BaseObject));
        Assert.Equal(new[] { ids[0], ids[0] }, JournalFile.Read(Journal("session.jsonl")).Changes.Select(c => c.ContactId));
        Assert.Equal(ids[1], Assert.Single(JournalFile.Read(Journal("own.jsonl")).Changes).ContactId);
    }

    [Fact]
    public void Undo_after_a_stopped_Add_puts_the_fake_back_exactly_and_a_second_undo_changes_nothing()
    {
        var ids = AddContacts(600, "un");
        foreach (var id in ids.Take(50)) Server.State.SetChoice(id, SampleData.ProductUpdates, "opt_out"); // another type: left alone
        var before = Choices(ids);
        Connect();
        Server.Faults.AnswerDelayMs = 4000; // some changes are in doubt when the run stops
        Server.ResetLog();
        Shell.Run("$ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } } | Add-IntercomContactSubscription -SubscriptionId 108 -SummaryVariable run -JournalPath $journal",
            new() { ["ids"] = ids, ["journal"] = Journal() },
            whileRunning: shell =>
            {
                Assert.True(SpinWait.SpinUntil(() => Server.CallCount("POST /contacts/{id}/subscriptions") >= 16, TimeSpan.FromSeconds(60)));
                Assert.True(Task.Run(shell.Stop).Wait(TimeSpan.FromSeconds(20)));
            });
        Server.Faults.AnswerDelayMs = 0;
        Assert.NotEqual(before, Choices(ids));
        Assert.True((long)((dynamic)new PSView(Assert.Single(Run("$run").Output))).InDoubt > 0);

        Server.ResetLog();

        var preview = Run("Get-IntercomJournal $journal -Undo | Set-IntercomContactSubscription -WhatIf", new() { ["journal"] = Journal() });
        Assert.Contains(preview.Warnings, w => w.Contains("inferred, not read", StringComparison.Ordinal));
        Assert.DoesNotContain(Server.Requests, r => r.Method is "POST" or "DELETE");
        Server.ResetLog();

        var undo = Run("Get-IntercomJournal $journal -Undo | Set-IntercomContactSubscription -Summary", new() { ["journal"] = Journal() });
        Assert.Empty(undo.Errors);
        Assert.Equal(before, Choices(ids));
        Assert.True(Server.CallCount("DELETE /contacts/{id}/subscriptions/{typeId}") > 0);

        Server.ResetLog();
        var again = Run("Get-IntercomJournal $journal -Undo | Set-IntercomContactSubscription -Summary", new() { ["journal"] = Journal() });
        Assert.Empty(again.Errors);
        Assert.Equal(0, Server.CallCount("DELETE /contacts/{id}/subscriptions/{typeId}") + Server.CallCount("POST /contacts/{id}/subscriptions"));
        Assert.Equal(before, Choices(ids));
    }

    [Fact]
    public void Undo_of_a_Set_run_is_exact_whatever_the_contacts_had_before()
    {
        var ids = AddContacts(6, "us");
        Server.State.SetChoice(ids[0], SampleData.Newsletters, "opt_in");   // already Subscribed: Set writes nothing
        Server.State.SetChoice(ids[1], SampleData.Newsletters, "opt_in");   // to be unsubscribed
        var before = Choices(ids);
        Connect();
        var states = new[] { "Subscribed", "Unsubscribed", "Subscribed", "Subscribed", "Default", "Subscribed" };

        var set = Run("""
            $rows = for ($i = 0; $i -lt $ids.Count; $i++) { [pscustomobject]@{ contact_id = $ids[$i]; state = $states[$i] } }
            $rows | Set-IntercomContactSubscription -SubscriptionId 108 -JournalPath $journal | Out-Null
            """, new() { ["ids"] = ids, ["states"] = states, ["journal"] = Journal() });
        Assert.Empty(set.Errors);
        Assert.NotEqual(before, Choices(ids));

        var undo = Run("""
            $undo = @(Get-IntercomJournal $journal -Undo)
            $undo | Set-IntercomContactSubscription | Out-Null
            $undo
            """, new() { ["journal"] = Journal() });

        Assert.Empty(undo.Warnings);
        Assert.All(undo.Objects("IntercomSubscriptions.ContactSubscriptionUndo"), u => Assert.True((bool)u.Exact));
        Assert.Equal(4, undo.Objects("IntercomSubscriptions.ContactSubscriptionUndo").Count()); // the 4 that changed
        Assert.Equal(before, Choices(ids));
    }

    [Fact]
    public void Resume_without_a_journal_is_refused_before_any_request()
    {
        var ids = AddContacts(1, "rn");
        Connect();
        Server.ResetLog();

        var result = Run("$ids | Add-IntercomContactSubscription -SubscriptionId 108 -Resume", new() { ["ids"] = ids });

        Assert.StartsWith("IntercomInvalidArgument,", Assert.Single(result.Errors).FullyQualifiedErrorId);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void A_summary_pipes_into_Get_IntercomJournal_and_Outcome_picks_the_changes_in_doubt()
    {
        var ids = AddContacts(3, "po");
        Connect("-TimeoutSec 1 -MaxRetries 0");
        Server.Faults.EnqueueScripted(new ScriptedResponse(200, null) { Method = "POST", PathContains = ids[1], DelayMs = 1500 });

        var result = Run("""
            $run = $ids | Add-IntercomContactSubscription -SubscriptionId 108 -Summary -ErrorAction SilentlyContinue -JournalPath $journal
            $run | Get-IntercomJournal -Outcome InDoubt
            """, new() { ["ids"] = ids, ["journal"] = Journal() });

        var entry = Assert.Single(result.Objects("IntercomSubscriptions.IntercomJournalEntry"));
        Assert.Equal(ids[1], (string)entry.ContactId);
        Assert.Equal("IntercomTimeout", (string)entry.ErrorId);
    }
}
