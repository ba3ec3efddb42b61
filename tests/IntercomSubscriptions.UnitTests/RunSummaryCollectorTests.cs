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
            var ticket = run.Current;
            ticket.RequestSent();
            if (i % everyNth == 0)
                run.Failed(NotFound(CsvRow(i), $"customer{i:D6}"), ticket);
            run.RequestDone(ticket, succeeded: i % everyNth != 0);
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
        var first = run.Current;
        first.RequestSent();
        run.BeginRecord();                                           // a bad row: fails without a request
        run.Failed(NotFound(CsvRow(2), "x"));
        run.BeginRecord();
        var third = run.Current;
        third.RequestSent();
        run.EndRecord();

        Assert.Equal(1L, run.Summary.Failed);
        Assert.Equal(0L, run.Summary.Handled);                       // the first is still in flight

        run.RequestDone(first, succeeded: true);
        Assert.Equal(2L, run.Summary.Handled);
        run.RequestDone(third, succeeded: true);
        var summary = run.Finish(IntercomRunStatus.Completed);

        Assert.Equal((3L, 2L, 1L, 0L, 3L), (summary.Total, summary.Succeeded, summary.Failed, summary.Skipped, summary.Handled));
        Assert.Equal(IntercomRunStatus.Completed, summary.Status);
    }

    [Fact]
    public void A_record_with_nothing_sent_and_no_error_is_skipped()
    {
        var run = NewRun();
        run.BeginRecord();
        var summary = run.Finish(IntercomRunStatus.Completed);

        Assert.Equal((1L, 1L), (summary.Skipped, summary.Total));
    }

    [Fact]
    public void A_record_a_stop_interrupts_before_anything_was_sent_is_not_processed_not_skipped()
    {
        var run = NewRun();
        run.BeginRecord();
        var first = run.Current;
        first.RequestSent();
        run.RequestDone(first, succeeded: true);
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
        run.Failed(NotFound(CsvRow(1), "x"));
        var summary = run.Finish(IntercomRunStatus.Stopped);

        Assert.Equal((1L, 1L, 0L), (summary.Total, summary.Failed, summary.NotProcessed));
        Assert.Single(summary.Errors);
    }

    [Fact]
    public void After_the_time_limit_records_are_refused_and_counted_as_not_processed()
    {
        var run = NewRun(TimeSpan.FromMinutes(1));
        Assert.True(run.BeginRecord());
        var ticket = run.Current;
        ticket.RequestSent();
        _now = TimeSpan.FromMinutes(1);

        Assert.False(run.BeginRecord());
        Assert.False(run.BeginRecord());
        run.RequestDone(ticket, succeeded: true);                     // in flight: it finishes
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
        run.Current.RequestSent();
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
            run.Failed(NotFound(CsvRow(i), "x"));
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
            run.Failed(NotFound(CsvRow(i), "x"));
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
        run.Failed(NotFound(CsvRow(1), "x"));
        var summary = run.Finish(IntercomRunStatus.Completed);

        Assert.Null(summary.FailedRecordsPath);
        Assert.Empty(Directory.GetFiles(_directory));
    }
}
