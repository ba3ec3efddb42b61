using System.Management.Automation;

namespace IntercomSubscriptions.UnitTests;

public sealed class RunSummaryCollectorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("run-summary-tests-").FullName;
    private TimeSpan _now;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private RunSummaryCollector NewRun(TimeSpan? timeLimit = null) => new("Add-IntercomContactSubscription", () => _now, timeLimit, InFolder());

    private FailedRecordsWriter InFolder() =>
        new("Add-IntercomContactSubscription", null, new FailedRecordRows(null), _ => { }, _directory);

    private static ErrorRecord NotFound(PSObject row, string id) =>
        IntercomErrors.ToErrorRecord(new ContactResolutionException($"No Intercom contact has the email '{id}@example.com'.", ambiguous: false), row,
            $"Contact with email '{id}@example.com', subscription type '108'");

    private static PSObject CsvRow(int i)
    {
        // A CSV row as Import-Csv makes it: a few columns of strings.
        var row = new PSObject();
        row.Properties.Add(new PSNoteProperty("email", $"customer{i:D6}@example.com"));
        row.Properties.Add(new PSNoteProperty("first_name", "Customer"));
        row.Properties.Add(new PSNoteProperty("last_name", $"Number {i}"));
        row.Properties.Add(new PSNoteProperty("signed_up", "2024-05-17"));
        return row;
    }

    private RunSummaryCollector RunWithFailures(int rows, int everyNth)
    {
        var run = new RunSummaryCollector("Add-IntercomContactSubscription", () => TimeSpan.FromMinutes(3), null, InFolder());
        for (var i = 0; i < rows; i++)
        {
            Assert.True(run.BeginRecord());
            var ticket = run.Claim();
            ticket.RequestStarted();
            if (i % everyNth == 0)
                run.Failed(NotFound(CsvRow(i), $"customer{i:D6}"), ticket);
            run.RequestDone(ticket, i % everyNth != 0 ? RecordState.Succeeded : null);
        }
        run.Finish(IntercomRunStatus.Completed);
        return run;
    }

    // The bound: a job stream holds at most 1 MB in Azure Automation, and the summary must leave
    // room for everything else the runbook writes.
    private const int SerialisedBound = 512 * 1024;

    [Fact]
    public void A_20000_row_summary_with_1000_errors_serialises_under_half_a_megabyte_and_names_a_file_of_every_failed_row()
    {
        var run = RunWithFailures(20_000, 20);

        Assert.Equal(1000L, run.Summary.Failed);
        Assert.Equal(IntercomRunSummary.MaxErrorsKept, run.Summary.Errors.Count);
        Assert.Equal(1000L - IntercomRunSummary.MaxErrorsKept, run.Summary.ErrorsNotKept);
        var size = PSSerializer.Serialize(run.Summary, 2).Length;
        Assert.InRange(size, 1, SerialisedBound);
        var lines = File.ReadAllLines(run.Summary.FailedRecordsPath!);
        Assert.Equal("\"email\",\"first_name\",\"last_name\",\"signed_up\",\"IntercomErrorId\",\"IntercomErrorMessage\"", lines[0]);
        Assert.Equal(1001, lines.Length);
        Assert.StartsWith("\"customer000000@example.com\",\"Customer\",\"Number 0\",\"2024-05-17\",\"IntercomContactNotFound\",", lines[1]);
        Assert.StartsWith("\"customer019980@example.com\",", lines[1000]);
    }

    [Fact]
    public void A_100000_row_summary_with_5000_errors_stays_under_the_same_bound()
    {
        var run = RunWithFailures(100_000, 20);

        Assert.Equal(5000L, run.Summary.Failed);
        Assert.Equal(IntercomRunSummary.MaxErrorsKept, run.Summary.Errors.Count);
        Assert.Equal(5000 - IntercomRunSummary.MaxErrorsKept, run.Summary.ErrorsNotKept);
        Assert.Equal(5001, File.ReadAllLines(run.Summary.FailedRecordsPath!).Length);
        Assert.InRange(PSSerializer.Serialize(run.Summary, 2).Length, 1, SerialisedBound);
    }

    [Fact]
    public void Kept_errors_are_lean_but_keep_the_id_category_message_and_record()
    {
        var row = CsvRow(1);
        var original = NotFound(row, "customer000001");

        var lean = RunSummaryCollector.Lean(original);

        Assert.Equal("IntercomContactNotFound", lean.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, lean.CategoryInfo.Category);
        Assert.Same(row, lean.TargetObject);
        Assert.Equal(original.ErrorDetails.Message, lean.Exception.Message);
        Assert.Null(lean.Exception.StackTrace);
        Assert.Null(lean.Exception.InnerException);
    }

    [Fact]
    public void Records_finish_when_their_requests_come_back_and_Handled_is_the_leading_run_of_finished_records()
    {
        var run = NewRun();
        run.BeginRecord();
        var first = run.Claim();
        first.RequestStarted();
        run.BeginRecord();                                           // a bad row: fails without a request
        run.Failed(NotFound(CsvRow(2), "x"), run.Claim());
        run.BeginRecord();
        var third = run.Claim();
        third.RequestStarted();
        run.EndRecord();

        Assert.Equal(1L, run.Summary.Failed);
        Assert.Equal(0L, run.Summary.Handled);                       // the first is still in flight

        run.RequestDone(first, RecordState.Succeeded);
        Assert.Equal(2L, run.Summary.Handled);
        run.RequestDone(third, RecordState.Succeeded);
        var summary = run.Finish(IntercomRunStatus.Completed);

        Assert.Equal((3L, 2L, 1L, 0L, 3L), (summary.Total, summary.Succeeded, summary.Failed, summary.Skipped, summary.Handled));
        Assert.Equal(IntercomRunStatus.Completed, summary.Status);
    }

    [Fact]
    public void A_record_with_nothing_sent_and_nothing_reported_is_not_processed_and_a_skip_is_said()
    {
        var run = NewRun();
        run.BeginRecord();
        run.BeginRecord();
        RunSummaryCollector.Report(run.Claim(), RecordState.Skipped);
        var summary = run.Finish(IntercomRunStatus.Completed);

        Assert.Equal((2L, 1L, 1L, 1L), (summary.Received, summary.Skipped, summary.Total, summary.NotProcessed));
    }

    [Fact]
    public void A_record_a_stop_interrupts_before_anything_was_sent_is_not_processed_not_skipped()
    {
        var run = NewRun();
        run.BeginRecord();
        var first = run.Claim();
        first.RequestStarted();
        run.RequestDone(first, RecordState.Succeeded);
        run.BeginRecord();                                           // Ctrl+C lands while it waits for a slot
        var summary = run.Finish(IntercomRunStatus.Stopped);

        Assert.Equal((2L, 1L, 1L, 0L, 1L), (summary.Received, summary.Total, summary.Succeeded, summary.Skipped, summary.Handled));
        Assert.Equal(1L, summary.NotProcessed);
    }

    [Fact]
    public void A_record_that_failed_before_a_stop_stays_failed()
    {
        var run = NewRun();
        run.BeginRecord();
        run.Failed(NotFound(CsvRow(1), "x"), run.Claim());
        var summary = run.Finish(IntercomRunStatus.Stopped);

        Assert.Equal((1L, 1L, 0L), (summary.Total, summary.Failed, summary.NotProcessed));
        Assert.Single(summary.Errors);
    }

    [Fact]
    public void After_the_time_limit_records_are_refused_and_counted_as_not_processed()
    {
        var run = NewRun(TimeSpan.FromMinutes(1));
        Assert.True(run.BeginRecord());
        var ticket = run.Claim();
        ticket.RequestStarted();
        _now = TimeSpan.FromMinutes(1);

        Assert.False(run.BeginRecord());
        Assert.False(run.BeginRecord());
        run.RequestDone(ticket, RecordState.Succeeded);                     // in flight: it finishes
        var summary = run.Finish(IntercomRunStatus.Completed);

        Assert.Equal(IntercomRunStatus.TimeLimitReached, summary.Status);
        Assert.Equal((1L, 1L, 2L), (summary.Succeeded, summary.Handled, summary.NotProcessed));
        Assert.Equal(TimeSpan.FromMinutes(1), summary.Elapsed);
    }

    [Fact]
    public void A_stop_counts_records_in_flight_as_not_processed_and_the_first_ending_wins()
    {
        var run = NewRun();
        run.BeginRecord();
        run.Claim().RequestStarted();
        _now = TimeSpan.FromSeconds(5);

        run.MarkStopped();
        _now = TimeSpan.FromSeconds(9);
        var summary = run.Finish(IntercomRunStatus.Stopped);
        run.Finish(IntercomRunStatus.Completed);

        Assert.Equal(IntercomRunStatus.Stopped, summary.Status);
        Assert.Equal((0L, 1L), (summary.Total, summary.NotProcessed));
        Assert.Equal(TimeSpan.FromSeconds(9), summary.Elapsed);
    }

    [Fact]
    public void Errors_beyond_the_bound_are_counted_and_go_to_the_file_only()
    {
        var run = NewRun();
        for (var i = 0; i < IntercomRunSummary.MaxErrorsKept + 3; i++)
        {
            run.BeginRecord();
            run.Failed(NotFound(CsvRow(i), "x"), run.Claim());
        }
        var summary = run.Finish(IntercomRunStatus.Completed);

        Assert.Equal(IntercomRunSummary.MaxErrorsKept, summary.Errors.Count);
        Assert.Equal(3L, summary.ErrorsNotKept);
        Assert.Equal(IntercomRunSummary.MaxErrorsKept + 3L, summary.Failed);
        Assert.Equal(IntercomRunSummary.MaxErrorsKept + 4, File.ReadAllLines(summary.FailedRecordsPath!).Length);
    }

    [Fact]
    public void A_run_nobody_will_see_the_summary_of_counts_errors_but_keeps_none_and_writes_no_file()
    {
        var run = new RunSummaryCollector("Get-IntercomContactSubscription", () => _now, null, null, keepErrors: false);
        for (var i = 0; i < IntercomRunSummary.MaxErrorsKept + 3; i++)
        {
            run.BeginRecord();
            run.Failed(NotFound(CsvRow(i), "x"), run.Claim());
        }
        var summary = run.Finish(IntercomRunStatus.Completed);

        Assert.Equal(IntercomRunSummary.MaxErrorsKept + 3L, summary.Failed);
        Assert.Empty(summary.Errors);
        Assert.Null(summary.FailedRecordsPath);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void No_file_while_the_errors_fit_in_the_summary()
    {
        var run = NewRun();
        run.BeginRecord();
        run.Failed(NotFound(CsvRow(1), "x"), run.Claim());
        var summary = run.Finish(IntercomRunStatus.Completed);

        Assert.Null(summary.FailedRecordsPath);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void The_values_of_an_array_given_as_a_parameter_are_records_and_inputs_of_their_own()
    {
        var run = NewRun();
        run.BeginRecord();
        run.ExpectRecords(3, eachIsAnInput: true);
        var tickets = new List<RecordTicket>();
        for (var i = 0; i < 3; i++)
        {
            // As the run does: each value's request is queued before the next value is taken.
            tickets.Add(run.Claim());
            tickets[i].RequestStarted();
        }

        run.RequestDone(tickets[0], RecordState.Succeeded);           // the first is an input done: Handled passes it at once
        Assert.Equal(1L, run.Summary.Handled);
        run.RequestDone(tickets[2], RecordState.Succeeded);
        Assert.Equal(1L, run.Summary.Handled);                       // the second is still out
        run.RequestDone(tickets[1], RecordState.Failed, NotFound(CsvRow(2), "x"));
        var summary = run.Finish(IntercomRunStatus.Completed);

        Assert.Equal((3L, 2L, 1L, 3L), (summary.Received, summary.Succeeded, summary.Failed, summary.Handled));
    }

    [Fact]
    public void The_records_of_one_piped_input_pass_Handled_together()
    {
        var run = NewRun();
        run.BeginRecord();
        run.ExpectRecords(2, eachIsAnInput: false);
        var (first, second) = (run.Claim(), run.Claim());
        first.RequestStarted();
        second.RequestStarted();
        run.EndRecord();

        run.RequestDone(first, RecordState.Succeeded);
        Assert.Equal(0L, run.Summary.Handled);
        run.RequestDone(second, RecordState.Succeeded);
        Assert.Equal(1L, run.Summary.Handled);
        Assert.Equal(2L, run.Summary.Received);
    }

    [Fact]
    public void A_record_in_doubt_with_an_error_passes_Handled_like_a_failure_and_one_without_ends_it()
    {
        var run = NewRun();
        var tickets = new List<RecordTicket>();
        for (var i = 0; i < 4; i++)
        {
            run.BeginRecord();
            var ticket = run.Claim();
            ticket.RequestStarted();
            tickets.Add(ticket);
        }
        run.EndRecord();

        run.InDoubt(tickets[0], new IntercomChangeInDoubt("c0", "c0", "108", "opt_in", "no answer within 30 s", "c0"));
        run.RequestDone(tickets[0], null, NotFound(CsvRow(0), "x"));  // timed out: its error is kept, to re-run
        Assert.Equal(1L, run.Summary.Handled);
        run.InDoubt(tickets[1], new IntercomChangeInDoubt("c1", "c1", "108", "opt_in", "the run stopped while it was on the wire", "c1"));
        run.RequestDone(tickets[1], null);                          // a stop cut it off: nothing to re-run it from
        run.RequestDone(tickets[2], RecordState.Succeeded);
        var summary = run.Finish(IntercomRunStatus.Stopped);

        Assert.Equal(1L, summary.Handled);
        Assert.Equal((4L, 2L, 1L, 1L), (summary.Received, summary.InDoubt, summary.Succeeded, summary.NotProcessed));
        Assert.Equal(["c0", "c1"], summary.InDoubtChanges.Select(c => c.ContactId));
        Assert.Equal("c0 108 opt_in; c1 108 opt_in", summary.InDoubtChanges.ToString());
    }

    [Fact]
    public void After_the_time_limit_a_long_input_keeps_one_ticket_not_one_per_record()
    {
        var run = NewRun(TimeSpan.FromMinutes(1));
        run.BeginRecord();
        var ticket = run.Claim();
        ticket.RequestStarted();
        _now = TimeSpan.FromMinutes(2);

        for (var i = 0; i < 100_000; i++) Assert.False(run.BeginRecord());
        run.RequestDone(ticket, RecordState.Succeeded);
        var summary = run.Finish(IntercomRunStatus.Completed);

        Assert.Equal((100_001L, 1L, 100_000L, 1L), (summary.Received, summary.Succeeded, summary.NotProcessed, summary.Handled));
    }
}
