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

    private static SubscriptionTypeData Answer() => new(TypeId, "live", "opt_in", null, Array.Empty<TranslationData>(), new[] { "email" });

    private BulkRun NewRun(bool stopOnError = false, bool writeSummary = false, int throttleLimit = 4) => new(
        new BulkRunOptions(throttleLimit, writeSummary, stopOnError),
        _output,
        new ContactResolver((_, value, _) => throw new InvalidOperationException($"'{value}' is an id: nothing to search.")),
        (change, _) =>
        {
            lock (_sent) _sent.Add(change);
            return _answer(change);
        },
        new RunSummaryCollector("Set-IntercomContactSubscription", () => TimeSpan.FromSeconds(1), null),
        new ProgressReporter("Testing", null, () => TimeSpan.Zero, _output),
        () => { },
        CancellationToken.None);

    private static IReadOnlyList<ContactTarget> Contact(string id) => new[] { new ContactTarget(null, id) };

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

        Assert.Equal(new[] { "c1", "c2" }, written);
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

        Assert.Equal(new[] { "Contact 'c1'", "Contact 'c2'" }, _output.ShouldProcessAsked.Select(a => a.Target));
        Assert.Equal(new[] { "c1", "c2" }, applied);
        Assert.Equal(new[] { "c1", "c2" }, _sent.Select(c => c.ContactId).OrderBy(id => id));
        Assert.Equal((1L, 1L), (run.Summary.Succeeded, run.Summary.Total));
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
}
