using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.UnitTests;

/// <summary>
/// One change sent from a worker thread, with the send and the has-choice read faked: what the
/// journal lets through under -Resume, what a journal that cannot be written stops, and what the
/// call's <see cref="CallDelivery"/> makes of a change that did not succeed.
/// </summary>
public sealed class ChangeSenderTests : IDisposable
{
    private const string Command = "Add-IntercomContactSubscription";
    private const string Workspace = "https://api.intercom.io/";
    private static readonly SubscriptionType Newsletters = new() { Id = "108", Name = "Newsletters", ConsentType = "opt_in" };

    private readonly string _directory = Directory.CreateTempSubdirectory("change-sender-").FullName;
    private readonly FailureLatch _failureSeen = new();
    private readonly List<string> _sent = new();
    private readonly List<string> _reads = new();
    private Func<CallOptions, Task<SubscriptionTypeData>> _answer = _ => Task.FromResult(Answer());
    private bool _contactHasChoice;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string JournalPath => Path.Combine(_directory, "j.jsonl");

    private static SubscriptionTypeData Answer() => new(Newsletters.Id, "live", "opt_in", null, Array.Empty<TranslationData>(), ["email"]);

    private static SubscriptionChange Change(string contactId) => SubscriptionChange.Of(contactId, Newsletters, "opt_in");

    private ChangeSender NewSender(RunJournal? journal = null, CancellationToken abandon = default) => new(
        async (change, options, _) =>
        {
            // As the engine does: the journal's step, then the request.
            if (options.BeforeFirstSend is { } beforeFirstSend) await beforeFirstSend();
            lock (_sent) _sent.Add(change.ContactId);
            return await _answer(options);
        },
        journal,
        (contactId, _, _) =>
        {
            lock (_reads) _reads.Add(contactId);
            return Task.FromResult(_contactHasChoice);
        },
        _failureSeen,
        abandon);

    private static Task<ChangeOutcome> Send(ChangeSender sender, string contactId, CancellationToken cancellationToken = default) =>
        sender.SendAsync(new ContactTarget(null, contactId), Change(contactId), cancellationToken);

    /// <summary>A journal an earlier run left: "done" applied, "doubt" sent and never answered (killed on the wire).</summary>
    private async Task<RunJournal> ResumedJournal()
    {
        using (var earlier = RunJournal.Open(JournalPath, Command, Workspace, resume: false, out _))
        {
            var applied = earlier.Intent(new ContactTarget(null, "done"), Change("done"));
            await earlier.WriteIntentAsync(applied);
            earlier.WriteOutcome(applied, JournalWords.Applied, null, "req-1");
            await earlier.WriteIntentAsync(earlier.Intent(new ContactTarget(null, "doubt"), Change("doubt")));
        }
        return RunJournal.Open(JournalPath, Command, Workspace, resume: true, out _);
    }

    private List<JournalEvent> JournalLinesOfThisRun(RunJournal journal) =>
        File.ReadAllLines(JournalPath).Select(l => JournalLines.Parse(l)).OfType<JournalEvent>().Where(e => e.Run == journal.RunId).ToList();

    [Fact]
    public async Task An_accepted_change_is_applied_with_Intercoms_answer_and_sent_with_the_runs_abandon_token()
    {
        using var abandon = new CancellationTokenSource();
        CancellationToken? onTheWire = null;
        _answer = options =>
        {
            onTheWire = options.OnTheWire;
            return Task.FromResult(Answer());
        };

        var outcome = await Send(NewSender(abandon: abandon.Token), "c1");

        Assert.Equal(ChangeResult.Applied, outcome.Result);
        Assert.Equal("live", outcome.Answer!.State);
        Assert.Equal(abandon.Token, onTheWire);
        Assert.Equal(["c1"], _sent);
    }

    [Fact]
    public async Task Once_a_failure_ends_the_run_or_the_send_is_cancelled_nothing_is_sent()
    {
        var sender = NewSender();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var whenCancelled = await Send(sender, "c1", cancelled.Token);
        _failureSeen.MarkSeen();
        var afterFailure = await Send(sender, "c2");

        Assert.Equal((ChangeResult.NotApplied, ChangeResult.NotApplied), (whenCancelled.Result, afterFailure.Result));
        Assert.Empty(_sent);
    }

    [Fact]
    public async Task With_Resume_a_change_the_journal_shows_applied_is_neither_read_nor_sent()
    {
        using var journal = await ResumedJournal();

        var outcome = await Send(NewSender(journal), "done");

        Assert.Equal(ChangeResult.AlreadyApplied, outcome.Result);
        Assert.Equal(JournalWords.Applied, outcome.JournalWord);
        Assert.Empty(_reads);
        Assert.Empty(_sent);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_Resume_a_change_in_doubt_is_read_first_its_check_written_and_sent_again_only_when_its_choice_is_not_in_effect(bool inEffect)
    {
        _contactHasChoice = inEffect; // opting in: in effect once the contact has a choice
        var journal = await ResumedJournal();

        var outcome = await Send(NewSender(journal), "doubt");
        journal.Dispose();

        Assert.Equal(["doubt"], _reads);
        Assert.Equal(inEffect ? ChangeResult.AlreadyApplied : ChangeResult.Applied, outcome.Result);
        Assert.Equal(inEffect ? [] : ["doubt"], _sent);
        var lines = JournalLinesOfThisRun(journal);
        var check = Assert.IsType<JournalCheck>(lines[0]);
        Assert.Equal(("doubt", inEffect), (check.ContactId, check.InEffect));
        // Sent again: its intent goes first, its outcome after the answer.
        Assert.Equal(inEffect ? [typeof(JournalCheck)] : [typeof(JournalCheck), typeof(JournalIntent), typeof(JournalOutcome)],
            lines.Select(l => l.GetType()));
    }

    [Fact]
    public async Task A_read_of_a_change_in_doubt_that_fails_fails_the_change_without_sending_it()
    {
        using var journal = await ResumedJournal();
        var refused = new IntercomApiException(IntercomErrorKind.ContactNotFound, "Contact Not Found", 404);
        var sender = new ChangeSender((_, _, _) => throw new InvalidOperationException("not to be sent"), journal,
            (_, _, _) => Task.FromException<bool>(refused), _failureSeen, CancellationToken.None);

        var outcome = await Send(sender, "doubt");

        Assert.Equal(ChangeResult.Failed, outcome.Result);
        Assert.Same(refused, outcome.Failure);
    }

    [Fact]
    public async Task A_journal_line_that_cannot_be_written_fails_its_change_and_stops_every_later_send()
    {
        var full = new IOException("No space left on device");
        _answer = _ => Task.FromException<SubscriptionTypeData>(new BeforeSendFailedException(full));
        var sender = NewSender();

        var outcome = await Send(sender, "c1");
        var next = await Send(sender, "c2");

        Assert.Equal(ChangeResult.JournalFailed, outcome.Result);
        Assert.Same(full, outcome.Failure);
        Assert.True(_failureSeen.Seen);
        Assert.Equal(ChangeResult.NotApplied, next.Result);
        Assert.Equal(["c1"], _sent); // c1 got as far as the call: its journal step is what failed
    }

    [Theory]
    [InlineData(500, true)] // Intercom failed while handling it: it may have been carried out
    [InlineData(404, false)] // refused: nothing was applied
    public async Task A_change_that_did_not_succeed_is_in_doubt_only_when_an_attempt_may_have_been_carried_out(int status, bool inDoubt)
    {
        var expected = inDoubt ? ChangeResult.InDoubt : ChangeResult.Failed;
        var failure = new IntercomApiException(status >= 500 ? IntercomErrorKind.ServerError : IntercomErrorKind.ContactNotFound,
            "Intercom said no", status, requestId: "req-9");
        _answer = options =>
        {
            options.Delivery.Answered(status, "req-9");
            return Task.FromException<SubscriptionTypeData>(failure);
        };

        var outcome = await Send(NewSender(), "c1");

        Assert.Equal(expected, outcome.Result);
        Assert.Same(failure, outcome.Failure);
        Assert.Equal(expected == ChangeResult.InDoubt ? IntercomErrors.Public(failure).Message : null, outcome.Reason);
    }

    [Theory]
    [InlineData(true)] // abandoned on the wire: Intercom may have it
    [InlineData(false)] // stopped before it went out
    public async Task A_change_stopped_is_in_doubt_when_it_was_on_the_wire_and_not_applied_otherwise(bool onTheWire)
    {
        var expected = onTheWire ? ChangeResult.InDoubt : ChangeResult.NotApplied;
        _answer = options =>
        {
            var stopped = new OperationCanceledException();
            if (onTheWire) options.Delivery.Unanswered(stopped);
            return Task.FromException<SubscriptionTypeData>(stopped);
        };

        var outcome = await Send(NewSender(), "c1");

        Assert.Equal(expected, outcome.Result);
        Assert.Null(outcome.Failure);
        Assert.Equal(onTheWire ? "the run stopped while it was on the wire" : null, outcome.Reason);
    }

    [Fact]
    public async Task The_outcome_line_of_a_change_in_doubt_names_Intercoms_request_id()
    {
        var journal = RunJournal.Open(JournalPath, Command, Workspace, resume: false, out _);
        _answer = options =>
        {
            options.Delivery.Answered(503, "req-7");
            return Task.FromException<SubscriptionTypeData>(new IntercomApiException(IntercomErrorKind.ServerError, "Service Unavailable", 503));
        };

        var outcome = await Send(NewSender(journal), "c1");
        journal.Dispose();

        Assert.Equal(ChangeResult.InDoubt, outcome.Result);
        var lines = JournalLinesOfThisRun(journal);
        Assert.IsType<JournalIntent>(lines[0]);
        var written = Assert.IsType<JournalOutcome>(lines[1]);
        Assert.Equal((JournalWords.InDoubt, "req-7"), (written.Outcome, written.RequestId));
    }
}
