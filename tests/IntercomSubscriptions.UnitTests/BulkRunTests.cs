using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.UnitTests;

/// <summary>
/// The bulk run without a runspace: records by contact id (no search), changes through its one send
/// path, and a record whose outcome a second step decides (Set: the write after the read), which is
/// counted by that step.
/// </summary>
public sealed class BulkRunTests
{
    private const string TypeId = "108";
    private readonly RecordingOutput _output = new();
    private readonly List<SubscriptionChange> _sent = new();
    private Func<SubscriptionChange, Task<SubscriptionTypeData>> _answer = _ => Task.FromResult(Answer());

    private static SubscriptionTypeData Answer() => new(TypeId, "live", "opt_in", null, Array.Empty<TranslationData>(), ["email"]);

    private BulkRun NewRun(bool stopOnError = false, bool writeSummary = false, int throttleLimit = 4, bool piped = true,
        RunJournal? journal = null, Func<TimeSpan>? clock = null, TimeSpan? timeLimit = null, CancellationToken stop = default) => new BulkRun(
        new BulkRunOptions(throttleLimit, writeSummary, stopOnError, piped),
        _output,
        new ContactResolver((_, value, _) => throw new InvalidOperationException($"'{value}' is an id: nothing to search.")),
        (change, options, cancellationToken) =>
        {
            lock (_sent) _sent.Add(change);
            return _send is null ? _answer(change) : _send(change, options, cancellationToken);
        },
        new RunSummaryCollector("Set-IntercomContactSubscription", clock ?? (() => TimeSpan.FromSeconds(1)), timeLimit),
        new ProgressReporter("Testing", null, () => TimeSpan.Zero, _output),
        () => { },
        stop,
        journal,
        (_, _, _) => Task.FromResult(_contactHasChoice))
    { StopGrace = TimeSpan.FromMilliseconds(500) };

    // A send that sees the call's options (the journal's step, the wire token), when a test needs it.
    private Func<SubscriptionChange, CallOptions, CancellationToken, Task<SubscriptionTypeData>>? _send;
    private bool _contactHasChoice;

    private static ContactTarget[] Contact(string id) => [new ContactTarget(null, id)];

    /// <summary>One record read (as Set reads), whose step <paramref name="then"/> ends.</summary>
    private static void ReadThenStep(BulkRun run, string contactId, Action<RecordStep> then, PSObject? row = null) =>
        run.ForRecord(() => run.SubmitReadsThenStep(Contact(contactId), row, $", subscription type '{TypeId}'",
            (id, _) => Task.FromResult(new CurrentChoice(id, HasChoice: false)),
            (_, _, step) => then(step)));

    [Fact]
    public void A_record_whose_step_needed_no_change_succeeds_when_the_step_is_handed_back_in_order()
    {
        using var run = NewRun();
        var written = new List<string>();

        ReadThenStep(run, "c1", step => step.Succeeded(() => written.Add("c1")));
        ReadThenStep(run, "c2", step => step.Succeeded(() => written.Add("c2")));
        run.Complete();

        Assert.Equal(["c1", "c2"], written);
        Assert.Equal((2L, 2L, 2L), (run.Summary.Succeeded, run.Summary.Total, run.Summary.Handled));
        Assert.Empty(_sent);
    }

    [Fact]
    public void A_declined_step_counts_the_record_as_skipped()
    {
        using var run = NewRun();

        ReadThenStep(run, "c1", step => step.Skipped());
        run.Complete();

        Assert.Equal((1L, 0L), (run.Summary.Skipped, run.Summary.Succeeded));
    }

    [Fact]
    public void A_step_that_sends_a_change_goes_through_the_send_path_and_succeeds_when_Intercom_accepts_it()
    {
        using var run = NewRun();
        var applied = false;

        ReadThenStep(run, "c1", step => step.SendChange(new SubscriptionChange("c1", TypeId, "opt_in"), "row", "Contact 'c1'", () => applied = true));
        run.Complete();

        Assert.True(applied);
        Assert.Equal(new SubscriptionChange("c1", TypeId, "opt_in"), Assert.Single(_sent));
        Assert.Equal(1L, run.Summary.Succeeded);
    }

    [Fact]
    public void A_failed_change_fails_the_record_and_keeps_its_error_lean_with_the_row_as_target()
    {
        _answer = change => throw new IntercomApiException(IntercomErrorKind.ContactNotFound, "Contact Not Found", 404);
        using var run = NewRun(writeSummary: true);
        var row = new PSObject();

        ReadThenStep(run, "c1", step => step.SendChange(new SubscriptionChange("c1", TypeId, "opt_in"), row, "Contact 'c1', subscription type '108'", () => { }), row);
        run.Complete();

        Assert.Equal((1L, 0L), (run.Summary.Failed, run.Summary.Succeeded));
        var kept = Assert.Single(run.Summary.Errors);
        Assert.Same(row, kept.TargetObject);
        Assert.Null(kept.Exception.InnerException);
        var written = Assert.Single(_output.Errors);
        Assert.Equal("IntercomContactNotFound", written.FullyQualifiedErrorId);
        Assert.Same(run.Summary, Assert.Single(_output.Objects)); // -Summary: the summary is all that is written
    }

    [Fact]
    public void Once_a_failure_ends_the_run_under_ErrorAction_Stop_no_further_change_is_sent_and_the_record_is_not_processed()
    {
        _answer = change => change.ContactId == "c1"
            ? throw new IntercomApiException(IntercomErrorKind.ContactNotFound, "Contact Not Found", 404)
            : Task.FromResult(Answer());
        using var run = NewRun(stopOnError: true, throttleLimit: 1);

        ReadThenStep(run, "c1", step => step.SendChange(new SubscriptionChange("c1", TypeId, "opt_in"), "c1", "Contact 'c1'", () => { }));
        ReadThenStep(run, "c2", step => step.SendChange(new SubscriptionChange("c2", TypeId, "opt_in"), "c2", "Contact 'c2'", () => { }));
        run.Complete();

        Assert.DoesNotContain(_sent, change => change.ContactId == "c2");
        Assert.Equal((1L, 0L, 1L), (run.Summary.Failed, run.Summary.Succeeded, run.Summary.NotProcessed));
        Assert.Equal("IntercomContactNotFound", Assert.Single(_output.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void A_record_whose_step_never_ends_is_not_processed()
    {
        using var run = NewRun();

        ReadThenStep(run, "c1", _ => { });
        var summary = run.Summary;
        run.Complete();

        Assert.Equal((1L, 0L, 0L), (summary.NotProcessed, summary.Handled, summary.Total));
    }

    [Fact]
    public void A_step_ends_once()
    {
        using var run = NewRun();
        Exception? second = null;

        ReadThenStep(run, "c1", step =>
        {
            step.Succeeded(() => { });
            second = Record.Exception(step.Skipped);
        });
        run.Complete();

        Assert.IsType<InvalidOperationException>(second);
    }

    [Fact]
    public void Changes_of_a_record_naming_several_contacts_each_ask_ShouldProcess_and_go_through_the_send_path()
    {
        using var run = NewRun();
        _output.Proceed = true;
        var applied = new List<string>();

        run.ForRecord(() => run.SubmitChanges(new[] { new ContactTarget(null, "c1"), new ContactTarget(null, "c2") }, null,
            "Record opt_in for subscription type 108", ", subscription type '108'",
            contactId => new SubscriptionChange(contactId, TypeId, "opt_in"),
            (change, _, _) => applied.Add(change.ContactId)));
        run.Complete();

        Assert.Equal(["Contact 'c1'", "Contact 'c2'"], _output.ShouldProcessAsked.Select(a => a.Target));
        Assert.Equal(["c1", "c2"], applied);
        Assert.Equal(["c1", "c2"], _sent.Select(c => c.ContactId).OrderBy(id => id));
        // Each contact is a record of its own.
        Assert.Equal((2L, 2L, 2L), (run.Summary.Received, run.Summary.Succeeded, run.Summary.Total));
    }

    [Fact]
    public void A_change_ShouldProcess_declines_is_not_sent_and_the_record_is_skipped()
    {
        using var run = NewRun();
        _output.Proceed = false;

        run.ForRecord(() => run.SubmitChanges(Contact("c1"), null, "Remove the choice", "",
            contactId => new SubscriptionChange(contactId, TypeId, SubscriptionChange.Remove), (_, _, _) => { }));
        run.Complete();

        Assert.Empty(_sent);
        Assert.Equal(1L, run.Summary.Skipped);
    }

    private static readonly SubscriptionType Newsletters = new() { Id = TypeId, Name = "Newsletters", ConsentType = "opt_in" };

    /// <summary>One input naming <paramref name="contactIds"/> (as -ContactId c1,c2,… does), each changed with Add's opt_in.</summary>
    private static void AddContacts(BulkRun run, params string[] contactIds) => run.ForRecord(() =>
    {
        run.ContactsNamed(contactIds.Length);
        run.SubmitChanges(contactIds.Select(id => new ContactTarget(null, id)).ToList(), null, "Record opt_in", $", subscription type '{TypeId}'",
            id => SubscriptionChange.Of(id, Newsletters, "opt_in"), (_, _, _) => { });
    });

    private static void AssertCountsAddUp(IntercomRunSummary summary) =>
        Assert.Equal(summary.Received, summary.Succeeded + summary.Failed + summary.Skipped + summary.InDoubt + summary.NotProcessed);

    [Fact]
    public void Every_contact_of_a_parameter_array_is_a_record_and_an_input_of_its_own()
    {
        _answer = change => change.ContactId == "bad"
            ? throw new IntercomApiException(IntercomErrorKind.ContactNotFound, "User Not Found", 404)
            : Task.FromResult(Answer());
        using var run = NewRun(writeSummary: true, piped: false);

        AddContacts(run, "c1", "c3", "c4", "bad");
        run.Complete();

        var summary = run.Summary;
        Assert.Equal((4L, 4L, 3L, 1L), (summary.Received, summary.Total, summary.Succeeded, summary.Failed));
        Assert.Equal(4L, summary.Handled); // $ids | Select-Object -Skip 4 resumes after them
        AssertCountsAddUp(summary);
    }

    [Fact]
    public void A_change_that_got_no_answer_is_in_doubt_named_in_the_summary_with_its_error_which_like_a_failure_does_not_stop_Handled()
    {
        _send = (change, options, _) =>
        {
            if (change.ContactId != "c2") return Task.FromResult(Answer());
            options.Delivery.Unanswered(new IOException("The connection was reset by the peer."));
            return Task.FromException<SubscriptionTypeData>(new IntercomApiException(IntercomErrorKind.ConnectionFailed,
                "POST /contacts/c2/subscriptions: lost the connection to api.intercom.io; Intercom may have applied the change all the same"));
        };
        using var run = NewRun(writeSummary: true);

        foreach (var id in new[] { "c1", "c2", "c3" }) AddContacts(run, id);
        run.Complete();

        var summary = run.Summary;
        Assert.Equal((2L, 0L, 1L), (summary.Succeeded, summary.Failed, summary.InDoubt));
        var inDoubt = Assert.Single(summary.InDoubtChanges);
        Assert.Equal(("c2", TypeId, "opt_in"), (inDoubt.ContactId, inDoubt.SubscriptionId, inDoubt.Action));
        Assert.Equal("c2", inDoubt.TargetObject);
        Assert.Equal("IntercomConnectionFailed", Assert.Single(_output.Errors).FullyQualifiedErrorId);
        Assert.Equal("IntercomConnectionFailed", Assert.Single(summary.Errors).FullyQualifiedErrorId); // re-run from there
        Assert.Equal(3L, summary.Handled);
        Assert.Contains(_output.Warnings, w => w.StartsWith("1 changes are in doubt", StringComparison.Ordinal));
        AssertCountsAddUp(summary);
    }

    [Fact]
    public void A_stop_lets_changes_on_the_wire_be_answered_abandons_the_slow_and_sends_nothing_new()
    {
        using var stop = new CancellationTokenSource();
        var onTheWire = new CountdownEvent(2);
        _send = async (change, options, cancellationToken) =>
        {
            if (change.ContactId == "held")
            {
                // Held by the pacer: the run's stop cancels it before it goes out.
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            onTheWire.Signal();
            try
            {
                await Task.Delay(change.ContactId == "quick" ? 100 : Timeout.Infinite, options.OnTheWire!.Value);
            }
            catch (OperationCanceledException ex)
            {
                options.Delivery.Unanswered(ex); // on the wire and abandoned: Intercom may have it
                throw;
            }
            return Answer();
        };
        var run = NewRun(writeSummary: true, stop: stop.Token);
        foreach (var id in new[] { "quick", "slow", "held" }) AddContacts(run, id);
        Assert.True(onTheWire.Wait(TimeSpan.FromSeconds(5)));

        stop.Cancel();
        Assert.Throws<PipelineStoppedException>(run.Complete);
        run.Dispose();

        var summary = run.Summary;
        Assert.Equal(IntercomRunStatus.Stopped, summary.Status);
        Assert.Equal((3L, 1L, 1L, 1L), (summary.Received, summary.Succeeded, summary.InDoubt, summary.NotProcessed));
        Assert.Equal("slow", Assert.Single(summary.InDoubtChanges).ContactId);
        Assert.Equal(1L, summary.Handled); // a resume must send "slow" again: a stop cut its answer off, and no error names it
        Assert.Equal(3, _sent.Count); // and nothing after the stop
        Assert.Empty(_output.Objects); // a stopped pipeline takes no writes: the summary is in -SummaryVariable only
        AssertCountsAddUp(summary);
    }

    [Fact]
    public void A_journal_that_cannot_be_written_ends_the_run_with_nothing_more_sent_and_every_record_accounted()
    {
        _send = (change, options, _) => change.ContactId == "c2"
            ? Task.FromException<SubscriptionTypeData>(new BeforeSendFailedException(new IOException("No space left on device")))
            : Task.FromResult(Answer());
        using var run = NewRun(writeSummary: true, throttleLimit: 1);

        // The run ends where the failure is handed back, whichever record is being processed then.
        Assert.Throws<PipelineStoppedException>(() =>
        {
            string[] ids = ["c1", "c2", "c3", "c4"];
            foreach (var id in ids) AddContacts(run, id);
            run.Complete();
        });

        var summary = run.Summary;
        Assert.Equal("IntercomJournalFailed", _output.Terminated!.FullyQualifiedErrorId);
        Assert.Contains("No space left on device", _output.Terminated.Exception.Message);
        Assert.Equal(IntercomRunStatus.Failed, summary.Status);
        Assert.Same(summary, Assert.Single(_output.Objects)); // the summary first, then the error
        Assert.DoesNotContain(_sent, c => c.ContactId is "c3" or "c4");
        Assert.Equal((3L, 1L, 2L), (summary.Received, summary.Succeeded, summary.NotProcessed)); // c4 never came: the run had ended
        AssertCountsAddUp(summary);
    }

    [Fact]
    public void After_the_time_limit_the_rest_of_a_parameter_array_is_not_processed()
    {
        var now = TimeSpan.Zero;
        _send = (change, _, _) =>
        {
            now = TimeSpan.FromMinutes(2); // the first change takes the run past its limit
            return Task.FromResult(Answer());
        };
        using var run = NewRun(writeSummary: true, piped: false, throttleLimit: 1, clock: () => now, timeLimit: TimeSpan.FromMinutes(1));

        AddContacts(run, "c1", "c2", "c3");
        run.Complete();

        var summary = run.Summary;
        Assert.Equal(IntercomRunStatus.TimeLimitReached, summary.Status);
        Assert.Equal((3L, 1L, 2L, 1L), (summary.Received, summary.Succeeded, summary.NotProcessed, summary.Handled));
        Assert.Contains(_output.Warnings, w => w.Contains("Select-Object -Skip 1 on this run's input", StringComparison.Ordinal));
        AssertCountsAddUp(summary);
    }

    [Fact]
    public async Task With_Resume_a_change_the_journal_shows_applied_is_skipped_and_one_in_doubt_is_read_first()
    {
        var directory = Directory.CreateTempSubdirectory("bulk-run-journal-").FullName;
        try
        {
            var path = Path.Combine(directory, "j.jsonl");
            using (var earlier = RunJournal.Open(path, "Add-IntercomContactSubscription", "https://api.intercom.io/", resume: false, out _))
            {
                var applied = earlier.Intent(new ContactTarget(null, "done"), SubscriptionChange.Of("done", Newsletters, "opt_in"));
                await earlier.WriteIntentAsync(applied);
                earlier.WriteOutcome(applied, "applied", null, "req-1");
                // Killed while these were on the wire: intents, no outcomes.
                await earlier.WriteIntentAsync(earlier.Intent(new ContactTarget(null, "doubt-applied"), SubscriptionChange.Of("doubt-applied", Newsletters, "opt_in")));
                await earlier.WriteIntentAsync(earlier.Intent(new ContactTarget(null, "doubt-lost"), SubscriptionChange.Of("doubt-lost", Newsletters, "opt_in")));
            }
            var journal = RunJournal.Open(path, "Add-IntercomContactSubscription", "https://api.intercom.io/", resume: true, out _);
            _contactHasChoice = false;
            var reads = new List<string>();
            using var run = new BulkRun(new BulkRunOptions(1, WriteSummary: true, StopOnError: false), _output,
                new ContactResolver((_, value, _) => throw new InvalidOperationException(value)),
                async (change, options, _) =>
                {
                    // As the engine does: the journal's step, then the request.
                    await options.BeforeFirstSend!();
                    lock (_sent) _sent.Add(change);
                    return Answer();
                },
                new RunSummaryCollector("Add-IntercomContactSubscription", () => TimeSpan.Zero, null),
                new ProgressReporter("Testing", null, () => TimeSpan.Zero, _output), () => { }, CancellationToken.None, journal,
                (contactId, _, _) =>
                {
                    reads.Add(contactId);
                    return Task.FromResult(contactId == "doubt-applied");
                });

            foreach (var id in new[] { "done", "doubt-applied", "doubt-lost", "new" }) AddContacts(run, id);
            run.Complete();

            Assert.Equal(["doubt-lost", "new"], _sent.Select(c => c.ContactId));
            Assert.Equal(["doubt-applied", "doubt-lost"], reads);
            Assert.Equal((2L, 2L, 2L), (run.Summary.Succeeded, run.Summary.Skipped, run.Summary.AlreadyApplied));
            var lines = File.ReadAllLines(path).Select(l => JournalLines.Parse(l)).ToList();
            Assert.Equal(2, lines.OfType<JournalCheck>().Count());
            Assert.Equal(["doubt-lost", "new"], lines.OfType<JournalOutcome>().Skip(1).Select(o => o.ContactId));
            Assert.IsType<JournalRunEnd>(lines[^1]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
