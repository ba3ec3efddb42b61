using System.Management.Automation;

namespace IntercomSubscriptions.UnitTests;

/// <summary>A record whose outcome a second step decides (Set: the write after the read) is counted by that step.</summary>
public sealed class RecordStepTests
{
    private readonly List<ErrorRecord> _reported = new();
    private bool _runEnding;

    private static RunSummaryCollector NewRun() =>
        new("Set-IntercomContactSubscription", () => TimeSpan.FromSeconds(1), null, Path.GetTempPath());

    private sealed class RunEndingException : Exception
    {
    }

    /// <summary>One record: its read is sent and, as ContactRequests does, handed back after the step is opened.</summary>
    private (RunSummaryCollector Run, RecordStep Step) RecordWithOpenStep()
    {
        var run = NewRun();
        Assert.True(run.BeginRecord());
        var ticket = run.Current;
        run.RequestSent(ticket);
        run.EndRecord();
        // As ContactRequests does: a failure is the record's error, and nothing is sent once the run is ending.
        var step = new RecordStep(run, ticket, (t, exception, errorTarget, subject) =>
        {
            var error = IntercomErrors.ToErrorRecord(exception, errorTarget, subject);
            run.RequestDone(t, succeeded: false, error);
            _reported.Add(error);
        }, () => { if (_runEnding) throw new RunEndingException(); });
        run.RequestDone(ticket, succeeded: false); // the read is back
        return (run, step);
    }

    [Fact]
    public void The_record_stays_unfinished_until_its_step_ends()
    {
        var (run, step) = RecordWithOpenStep();

        Assert.Equal(0L, run.Summary.Succeeded + run.Summary.Failed + run.Summary.Skipped);
        Assert.Equal(0L, run.Summary.Handled);

        step.Succeeded();

        Assert.Equal(1L, run.Summary.Succeeded);
        Assert.Equal(1L, run.Summary.Handled);
    }

    [Fact]
    public void A_declined_step_counts_the_record_as_skipped()
    {
        var (run, step) = RecordWithOpenStep();

        step.Skipped();

        Assert.Equal(1L, run.Summary.Skipped);
        Assert.Equal(0L, run.Summary.Succeeded);
    }

    [Fact]
    public void A_failed_step_counts_the_record_as_failed_and_keeps_its_error_lean_with_the_row_as_target()
    {
        var (run, step) = RecordWithOpenStep();
        var row = new PSObject();

        step.Failed(new ContactResolutionException("No Intercom contact has the id 'c1'.", ambiguous: false), row, "Contact 'c1', subscription type '108'");

        Assert.Equal(1L, run.Summary.Failed);
        Assert.Equal(0L, run.Summary.Succeeded);
        var kept = Assert.Single(run.Summary.Errors);
        Assert.Same(row, kept.TargetObject);
        Assert.Null(kept.Exception.InnerException);
        Assert.Same(row, Assert.Single(_reported).TargetObject);
    }

    [Fact]
    public async Task The_step_sends_its_request_but_not_once_the_run_is_ending()
    {
        var (run, step) = RecordWithOpenStep();
        var sent = 0;

        Assert.Equal(1, await step.SendAsync(() => Task.FromResult(++sent)));
        _runEnding = true;

        await Assert.ThrowsAsync<RunEndingException>(() => step.SendAsync(() => Task.FromResult(++sent)));
        Assert.Equal(1, sent);
    }

    [Fact]
    public void A_record_whose_step_never_ends_is_not_processed()
    {
        var (run, _) = RecordWithOpenStep();

        var summary = run.Finish(IntercomRunStatus.Stopped);

        Assert.Equal(1L, summary.NotProcessed);
        Assert.Equal(0L, summary.Handled);
    }

    [Fact]
    public void A_step_ends_once()
    {
        var (_, step) = RecordWithOpenStep();
        step.Succeeded();

        Assert.Throws<InvalidOperationException>(() => step.Skipped());
    }
}
