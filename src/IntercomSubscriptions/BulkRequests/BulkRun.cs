using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// The bulk run of one contact cmdlet: every input (a CSV row, or the command line's values) names
/// contacts, and each contact is one record, with one request (a change, or a read). The run resolves
/// each contact, sends the requests through the ordered window (asking ShouldProcess first for a
/// change), hands results and errors back in input order, keeps Write-Progress up to date, writes
/// the journal, and accounts each record in the run's <see cref="RunSummaryCollector"/>: with -Summary
/// no per-record result is written, and the summary is written once when the run ends, however it ends.
/// </summary>
/// <remarks>
/// <para>A record whose outcome only a second request decides (Set: the write that follows the read)
/// gets a <see cref="RecordStep"/>; second steps have a window of their own, drained after the first
/// one, so that their results too come back in input order.</para>
/// <para>Every change is sent by the run's <see cref="ChangeSender"/>, which decides its outcome where the
/// request ends: applied, failed (Intercom refused it), in doubt (sent, and no answer says), or not
/// applied (never sent).</para>
/// <para>How a run ends. Under -ErrorAction Stop, or when the journal cannot be written, nothing new
/// is sent once the failure is known, the requests in flight finish, and what they changed is
/// reported (output, and a warning naming the record), then the summary, then the terminating error.
/// After -TimeLimit nothing new is sent and what is in flight finishes. On a stop (Ctrl+C, Stop-Job,
/// or the pipeline ending otherwise) PowerShell takes no more writes: nothing new is sent, changes
/// already on the wire get <see cref="StopGrace"/> to be answered, the rest are abandoned and counted
/// in doubt, and the summary (in -SummaryVariable) and the journal are settled before the stop returns.</para>
/// <para>Everything here runs on the pipeline thread except the requests themselves.</para>
/// </remarks>
internal sealed class BulkRun : IDisposable
{
    /// <summary>
    /// How long a stop waits for changes already on the wire: their answers usually arrive within a
    /// round trip (0.1-0.3 s at Intercom's latencies), and each one that does is a change known instead
    /// of one in doubt. Ctrl+C returns within it.
    /// </summary>
    internal static readonly TimeSpan DefaultStopGrace = TimeSpan.FromSeconds(2);

    private readonly BulkRunOptions _options;
    private readonly IPipelineOutput _output;
    private readonly ContactResolver _contacts;
    private readonly RunJournal? _journal;
    private readonly ChangeSender _sender;
    private readonly RunSummaryCollector _summary;
    private readonly ProgressReporter _progress;
    // Cancelled on a stop: nothing new goes out. Requests on the wire watch _changesOut.Abandon, cancelled after the grace.
    private readonly CancellationTokenSource _stopSending;
    private readonly CancellationTokenRegistration _stopRegistration;
    // Each window's results are what to do on the pipeline thread when the request is handed back.
    private readonly OrderedRequestWindow<Action> _requests;
    private readonly OrderedRequestWindow<Action> _steps;
    // Changes queued and not handed back: what a stop settles.
    private readonly OutstandingChanges _changesOut = new();
    // Set by a failure that ends the run, on a worker thread or this one; read (here and by _sender) before sending anything.
    private readonly FailureLatch _failureSeen = new();
    // The failure that ends the run (-ErrorAction Stop, a journal that cannot be written), held back
    // until what was in flight is reported: after it, nothing more can be written.
    private ErrorRecord? _stopping;
    private bool _stoppingTerminates;
    private bool _summaryWritten;
    private bool _ended;

    /// <param name="contacts">Resolves the contacts records name by email or external id.</param>
    /// <param name="sendChange">Sends one change to Intercom (the connection's attach or detach) with the call's options; see <see cref="ChangeSender"/>.</param>
    /// <param name="summary">The run's summary, which this run owns from now on (and disposes).</param>
    /// <param name="pump">The cmdlet's engine messages, written while the run waits (progress is added here).</param>
    /// <param name="cancellationToken">The cmdlet's stop (Ctrl+C): nothing new is sent, and the summary says Stopped.</param>
    /// <param name="journal">The run's journal, which this run owns from now on (and closes); null for none.</param>
    /// <param name="hasChoice">Whether a contact has an explicit choice for a type: -Resume reads a change in doubt with it before sending it again.</param>
    public BulkRun(BulkRunOptions options, IPipelineOutput output, ContactResolver contacts,
        Func<SubscriptionChange, CallOptions, CancellationToken, Task<SubscriptionTypeData>> sendChange,
        RunSummaryCollector summary, ProgressReporter progress, Action pump, CancellationToken cancellationToken,
        RunJournal? journal = null, Func<string, string, CancellationToken, Task<bool>>? hasChoice = null)
    {
        _options = options;
        _output = output;
        _contacts = contacts;
        _journal = journal;
        _sender = new ChangeSender(sendChange, journal, hasChoice, _failureSeen, _changesOut.Abandon);
        _summary = summary;
        _progress = progress;
        _stopSending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        summary.Summary.JournalPath = journal?.Path;
        // PowerShell may never return to this run's code after a stop: the summary says so from the stopping thread.
        _stopRegistration = cancellationToken.Register(summary.MarkStopped);
        void PumpAndReport()
        {
            pump();
            ReportProgress();
        }
        _requests = new OrderedRequestWindow<Action>(options.ThrottleLimit, PumpAndReport, _stopSending.Token);
        _steps = new OrderedRequestWindow<Action>(options.ThrottleLimit, PumpAndReport, _stopSending.Token);
    }

    /// <summary>How long a stop waits for changes already on the wire (<see cref="DefaultStopGrace"/>; tests shorten it).</summary>
    internal TimeSpan StopGrace { get; init; } = DefaultStopGrace;

    /// <summary>The run's summary as it is now; -SummaryVariable holds it from the start.</summary>
    public IntercomRunSummary Summary => _summary.Summary;

    /// <summary>
    /// Runs <paramref name="process"/> (ProcessRecord's work) as one input of the run; once -TimeLimit
    /// has passed, only counts it. A stop or terminating error ends the run first.
    /// </summary>
    public void ForRecord(Action process)
    {
        if (!_summary.BeginRecord())
            return;
        Guarded(process);
        _summary.EndRecord();
    }

    /// <summary>The input being processed is skipped on purpose (a Default row): its record is.</summary>
    public void SkipRecord() => RunSummaryCollector.Report(_summary.Claim(), RecordState.Skipped);

    /// <summary>The input being processed names <paramref name="count"/> contacts: each is a record (at least one).</summary>
    public void ContactsNamed(long count) => _summary.ExpectRecords(Math.Max(1, count), eachIsAnInput: !_options.Piped);

    /// <summary>
    /// Queues a read for each of <paramref name="targets"/>: no ShouldProcess, reading changes
    /// nothing. <paramref name="onResult"/> gets each result with the contact it was read for, on the
    /// pipeline thread in input order (not under -Summary). Errors name the contact and
    /// <paramref name="subjectSuffix"/>, and target <paramref name="inputObject"/> (the record).
    /// </summary>
    public void SubmitReads<T>(IReadOnlyList<ContactTarget> targets, PSObject? inputObject, string subjectSuffix,
        Func<string, CancellationToken, Task<T>> read, Action<T, ContactTarget> onResult)
    {
        foreach (var target in targets)
        {
            if (!MayStartAnother()) return;
            QueueRead(_summary.Claim(), target, inputObject, subjectSuffix, read, (ticket, result, _) =>
            {
                _summary.RequestDone(ticket, RecordState.Succeeded);
                if (!_options.WriteSummary) onResult(result, target);
            });
        }
    }

    /// <summary>
    /// Queues one change for each of <paramref name="targets"/>, each asked of ShouldProcess as
    /// <paramref name="action"/> first: <paramref name="changeFor"/> says what to send once the
    /// contact's Intercom id is known. <paramref name="onApplied"/> gets Intercom's answer, on the
    /// pipeline thread in input order (not under -Summary).
    /// </summary>
    public void SubmitChanges(IReadOnlyList<ContactTarget> targets, PSObject? inputObject, string action, string subjectSuffix,
        Func<string, SubscriptionChange> changeFor, Action<SubscriptionChange, SubscriptionTypeData, ContactTarget> onApplied)
    {
        foreach (var target in targets)
        {
            if (!MayStartAnother()) return;
            var ticket = _summary.Claim();
            if (!_output.ShouldProcess(target.ToString(), action))
            {
                RunSummaryCollector.Report(ticket, RecordState.Skipped);
                continue;
            }
            var errorTarget = inputObject ?? (object)target.Value;
            var change = new ChangeInFlight(ticket, target, errorTarget, target + subjectSuffix);
            StoppingOnError(() =>
            {
                if (SendingEnded()) return;
                ticket.RequestStarted();
                QueueChange(_requests, change,
                    async cancellationToken =>
                    {
                        var contactId = await ResolveAsync(target, cancellationToken).ConfigureAwait(false);
                        return changeFor(contactId);
                    },
                    (sent, answer) => onApplied(sent, answer, target));
            });
            ReportProgress();
        }
    }

    /// <summary>
    /// Queues a read for each of <paramref name="targets"/> whose record's outcome a second step
    /// decides (Set: the read, then the write). <paramref name="then"/> runs on the pipeline thread
    /// in input order, also under -Summary, with the <see cref="RecordStep"/> it must end. Under
    /// -Resume, a contact the journal shows with <paramref name="wanted"/>'s choice applied for its
    /// type is skipped without being read.
    /// </summary>
    public void SubmitReadsThenStep<T>(IReadOnlyList<ContactTarget> targets, PSObject? inputObject, string subjectSuffix,
        Func<string, CancellationToken, Task<T>> read, Action<T, ContactTarget, RecordStep> then,
        (string SubscriptionId, string ChoiceAfter)? wanted = null)
    {
        foreach (var target in targets)
        {
            if (!MayStartAnother()) return;
            QueueRead(_summary.Claim(), target, inputObject, subjectSuffix,
                async (contactId, cancellationToken) => wanted is { } pair
                    && _journal?.Resume?.Lookup(contactId, pair.SubscriptionId, pair.ChoiceAfter) == JournalVerdict.AlreadyApplied
                        ? (Skip: true, Read: default(T)!)
                        : (Skip: false, Read: await read(contactId, cancellationToken).ConfigureAwait(false)),
                (ticket, result, subject) =>
                {
                    if (result.Skip)
                    {
                        _summary.AlreadyApplied();
                        _summary.RequestDone(ticket, RecordState.Skipped);
                        _output.WriteVerbose($"{subject}: already applied (the journal says so); not read or sent again.");
                        return;
                    }
                    if (_stopping is not null)
                    {
                        // Nothing new is sent once the run is ending: the record is not processed, like a request that was not sent.
                        _output.WriteWarning($"{subject}: not changed, because the run is ending on an earlier error.");
                        _summary.RequestDone(ticket, null);
                        return;
                    }
                    // The step holds the record open from before its read is done until the step ends.
                    ticket.RequestStarted();
                    then(result.Read, target, new RecordStep(this, ticket, target));
                    _summary.RequestDone(ticket, null);
                });
        }
    }

    /// <summary>
    /// Writes an input's own error found before any request (a row naming no contact, an unknown
    /// type), counting each of its records not yet taken by a contact as failed. Under -ErrorAction
    /// Stop it ends the run the same way a failed request does: what is in flight finishes and is reported first.
    /// </summary>
    public void WriteRecordError(ErrorRecord record)
    {
        _summary.Keep(record);
        foreach (var ticket in _summary.Unclaimed()) ticket.Report(RecordState.Failed);
        WriteOrStop(record, subject: null, endNow: true);
    }

    /// <summary>Writes the error of one contact of the input (a malformed value among several): that contact's record fails.</summary>
    public void WriteContactError(ErrorRecord record)
    {
        _summary.Failed(record, _summary.Claim());
        WriteOrStop(record, subject: null, endNow: true);
    }

    /// <summary>Waits for every queued request, hands the rest back in order, closes the progress bar, and writes the summary.</summary>
    public void Complete()
    {
        Guarded(() => StoppingOnError(DrainAll));
        _progress.Complete();
        var summary = _summary.Finish(IntercomRunStatus.Completed);
        _ended = true;
        var journalFailure = EndJournal(summary);
        if (summary.Status == IntercomRunStatus.TimeLimitReached)
            _output.WriteWarning($"The time limit passed after {summary.Elapsed:hh\\:mm\\:ss}: {summary.NotProcessed} records were not processed. "
                + $"This run's first {summary.Handled} inputs were handled: resume with Select-Object -Skip {summary.Handled} on this run's input, "
                + $"that is, add {summary.Handled} to the offset this run's input was skipped by ($offset + $run.Handled)"
                + (_journal is null ? "." : $", or run the same input again with -JournalPath '{_journal.Path}' -Resume."));
        if (summary.InDoubt > 0)
            _output.WriteWarning($"{summary.InDoubt} changes are in doubt: they were sent and no answer says whether Intercom applied them. "
                + "The summary's InDoubtChanges" + (_journal is null ? "" : " and the journal") + " name them; running their records again settles them.");
        WriteSummary(summary);
        if (journalFailure is not null)
            _output.ThrowTerminatingError(journalFailure);
    }

    public void Dispose()
    {
        // A run disposed before it finished was ended from outside: a stop (PowerShell may unwind and
        // dispose a stopped pipeline's commands before its stopping thread reaches this one's
        // StopProcessing), or an upstream command's terminating error. -SummaryVariable must still
        // say the run stopped, with every change accounted.
        _summary.MarkStopped();
        EndRun(IntercomRunStatus.Stopped);
        _stopRegistration.Dispose();
        _requests.Dispose();
        _steps.Dispose();
        _summary.Dispose();
        _journal?.Dispose();
        _stopSending.Dispose();
        _changesOut.Dispose();
    }

    /// <summary>A second step that needed no request (already in the state asked for): a success, handed back in input order.</summary>
    internal void StepSucceeded(RecordTicket ticket, Action onHandedBack) =>
        _steps.Submit(_ => Task.FromResult<Action>(() =>
        {
            _summary.RequestDone(ticket, RecordState.Succeeded);
            if (!_options.WriteSummary) onHandedBack();
        }), handBack => handBack(), _ => { });

    /// <summary>A second step ShouldProcess declined: the record is skipped, unless another part of it failed.</summary>
    internal void StepSkipped(RecordTicket ticket) => _summary.RequestDone(ticket, RecordState.Skipped);

    /// <summary>
    /// A second step that sends <paramref name="change"/>; once the run is ending on an error it is not
    /// sent, and the record stays not processed. After -TimeLimit it still goes: its record began
    /// before the limit, with its read, and what is in flight finishes.
    /// </summary>
    internal void StepSendsChange(RecordTicket ticket, ContactTarget target, SubscriptionChange change, object errorTarget, string subject, Action onApplied)
    {
        if (SendingEnded())
        {
            _summary.RequestDone(ticket, null);
            return;
        }
        QueueChange(_steps, new ChangeInFlight(ticket, target, errorTarget, subject), _ => Task.FromResult(change), (_, _) => onApplied());
    }

    /// <summary>
    /// Queues one change of <paramref name="change"/>'s record (whose request the caller has started) in
    /// <paramref name="window"/>; <paramref name="prepare"/> finds what to send once it may start.
    /// </summary>
    private void QueueChange(OrderedRequestWindow<Action> window, ChangeInFlight change, Func<CancellationToken, Task<SubscriptionChange>> prepare,
        Action<SubscriptionChange, SubscriptionTypeData> onApplied)
    {
        _changesOut.Add(change);
        change.Running = window.Submit(
            async cancellationToken =>
            {
                var toSend = await prepare(cancellationToken).ConfigureAwait(false);
                change.Change = toSend;
                change.Outcome = await _sender.SendAsync(change.Target, toSend, cancellationToken).ConfigureAwait(false);
                return () => Account(change, canWrite: true, onApplied);
            },
            handBack => handBack(),
            exception =>
            {
                _changesOut.Remove(change);
                Fail(change.Ticket, IntercomErrors.ForContact(exception, change.Target.Value), change.ErrorTarget, change.Subject);
            });
    }

    private void QueueRead<T>(RecordTicket ticket, ContactTarget target, PSObject? inputObject, string subjectSuffix,
        Func<string, CancellationToken, Task<T>> read, Action<RecordTicket, T, string> handBack)
    {
        var errorTarget = inputObject ?? (object)target.Value;
        var subject = target + subjectSuffix;
        StoppingOnError(() =>
        {
            if (SendingEnded()) return;
            ticket.RequestStarted();
            _requests.Submit(
                async cancellationToken =>
                {
                    var contactId = await ResolveAsync(target, cancellationToken).ConfigureAwait(false);
                    var result = await read(contactId, cancellationToken).ConfigureAwait(false);
                    return () => handBack(ticket, result, subject);
                },
                handBackResult => handBackResult(),
                exception => Fail(ticket, IntercomErrors.ForContact(exception, target.Value), errorTarget, subject));
        });
        ReportProgress();
    }

    /// <summary>
    /// What a change's outcome makes of its record, on the pipeline thread: handed back in order
    /// (<paramref name="canWrite"/>: its output, error or warning is written), or settled by a stop
    /// (nothing can be written; the summary and the journal are all that is left).
    /// </summary>
    private void Account(ChangeInFlight change, bool canWrite, Action<SubscriptionChange, SubscriptionTypeData>? onApplied)
    {
        _changesOut.Remove(change);
        var ticket = change.Ticket;
        var outcome = change.Outcome ?? ChangeOutcome.NotApplied;
        switch (outcome.Result)
        {
            case ChangeResult.Applied:
                _summary.RequestDone(ticket, RecordState.Succeeded);
                if (!canWrite) return;
                if (!_options.WriteSummary) onApplied?.Invoke(change.Change!.Value, outcome.Answer!);
                if (_stopping is not null)
                    _output.WriteWarning($"{change.Subject}: applied before the run ended ({change.Change!.Value.Action}).");
                return;
            case ChangeResult.AlreadyApplied:
                _summary.AlreadyApplied();
                _summary.RequestDone(ticket, RecordState.Skipped);
                if (canWrite) _output.WriteVerbose($"{change.Subject}: already applied (the journal, or a read of the contact, says so); not sent again.");
                return;
            case ChangeResult.Failed when canWrite:
                Fail(ticket, IntercomErrors.ForContact(outcome.Failure!, change.Target.Value), change.ErrorTarget, change.Subject);
                return;
            case ChangeResult.Failed:
                _summary.RequestDone(ticket, RecordState.Failed, ErrorOf(outcome.Failure!, change));
                return;
            case ChangeResult.InDoubt:
                var sent = change.Change!.Value;
                _summary.InDoubt(ticket, new IntercomChangeInDoubt(sent.ContactId, change.Target.Value, sent.SubscriptionTypeId, sent.Action,
                    outcome.Reason ?? "no answer", change.ErrorTarget));
                var error = outcome.Failure is null ? null : ErrorOf(outcome.Failure, change);
                _summary.RequestDone(ticket, null, error);
                if (canWrite && error is not null) WriteOrStop(error, change.Subject, endNow: false);
                return;
            case ChangeResult.JournalFailed:
                _summary.RequestDone(ticket, null);
                if (canWrite) EndOnJournalFailure(outcome.Failure!);
                return;
            default:
                _summary.RequestDone(ticket, null);
                if (canWrite && _stopping is not null)
                    _output.WriteWarning($"{change.Subject}: not sent, because the run is ending on an earlier error.");
                return;
        }
    }

    private static ErrorRecord ErrorOf(Exception failure, ChangeInFlight change) =>
        IntercomErrors.ToErrorRecord(IntercomErrors.ForContact(failure, change.Target.Value), change.ErrorTarget, change.Subject);

    /// <summary>Updates Write-Progress (throttled); nothing before the first request is queued.</summary>
    private void ReportProgress()
    {
        if (_requests.Completed > 0 || _requests.Waiting > 0)
            _progress.Report(_requests.Completed);
    }

    /// <summary>For contacts given as a parameter, each an input of its own: false once -TimeLimit has passed (the rest are not processed).</summary>
    private bool MayStartAnother() => _options.Piped || !_summary.TimeLimitPassed();

    /// <summary>Under -ErrorAction Stop or a journal failure, hands the failure back so that it ends the run before anything new is queued; true once it has.</summary>
    private bool SendingEnded()
    {
        if (!_failureSeen.Seen) return false;
        _requests.Drain();
        return _stopping is not null;
    }

    private async Task<string> ResolveAsync(ContactTarget target, CancellationToken cancellationToken)
    {
        try
        {
            ThrowIfRunStopped();
            var contactId = await _contacts.ResolveAsync(target, cancellationToken).ConfigureAwait(false);
            foreach (var other in target.MustMatch ?? Array.Empty<ContactTarget>())
                await CheckSameContactAsync(target, contactId, other, cancellationToken).ConfigureAwait(false);
            ThrowIfRunStopped();
            return contactId;
        }
        catch (Exception ex) when (_options.StopOnError && ex is not (RunStoppedException or OperationCanceledException))
        {
            _failureSeen.MarkSeen();
            throw;
        }
    }

    private async Task CheckSameContactAsync(ContactTarget target, string contactId, ContactTarget other, CancellationToken cancellationToken)
    {
        string otherId;
        try
        {
            otherId = await _contacts.ResolveAsync(other, cancellationToken).ConfigureAwait(false);
        }
        catch (ContactResolutionException ex)
        {
            throw new ContactConflictException($"The record names {target} and {other}, which do not agree: {ex.Message}");
        }
        if (otherId != contactId)
            throw new ContactConflictException($"The record names {target} and {other}, which are different contacts ({contactId} and {otherId}). Correct the row, or give one of them.");
    }

    private void ThrowIfRunStopped()
    {
        if (_failureSeen.Seen) throw new RunStoppedException();
    }

    private void Fail(RecordTicket ticket, Exception exception, object errorTarget, string subject)
    {
        if (exception is RunStoppedException)
        {
            // Not sent: the record is not processed, and Handled (the rows to skip on a re-run) stops before it.
            _summary.RequestDone(ticket, null);
            _output.WriteWarning($"{subject}: not sent, because the run is ending on an earlier error.");
            return;
        }
        var record = IntercomErrors.ToErrorRecord(exception, errorTarget, subject);
        _summary.RequestDone(ticket, RecordState.Failed, record);
        WriteOrStop(record, subject, endNow: false);
    }

    /// <summary>
    /// Writes a record's error, or, under -ErrorAction Stop, makes it the one that ends the run (the
    /// others are named in warnings). <paramref name="endNow"/>: ended here, not by the window step
    /// this runs in (a record's own error, found outside any hand-back).
    /// </summary>
    private void WriteOrStop(ErrorRecord record, string? subject, bool endNow)
    {
        if (_stopping is not null)
        {
            // Only one error can end the run; the others are named so that nothing fails unseen.
            if (subject is null) _output.WriteError(record);
            else _output.WriteWarning($"{subject}: also failed before the run ended: {record.Exception.Message}");
            return;
        }
        if (!_options.StopOnError)
        {
            _output.WriteError(record);
            return;
        }
        _failureSeen.MarkSeen();
        _stopping = record;
        if (endNow) StoppingOnError(() => { });
    }

    /// <summary>The journal could not be written: nothing more is sent, what is in flight finishes, and the run ends with this error whatever -ErrorAction says.</summary>
    private void EndOnJournalFailure(Exception failure)
    {
        _failureSeen.MarkSeen();
        var record = IntercomErrors.JournalFailed(failure, _journal?.Path);
        if (_stopping is not null && _stoppingTerminates) return;
        if (_stopping is not null) _output.WriteError(_stopping);
        _stopping = record;
        _stoppingTerminates = true;
    }

    /// <summary>
    /// Runs a window step. Once a failure that ends the run is handed back, waits for what is in
    /// flight (reporting each result), writes the summary, then the failure, which ends the run.
    /// </summary>
    private void StoppingOnError(Action step)
    {
        step();
        if (_stopping is null) return;
        DrainAll();
        _progress.Complete();
        EndRun(IntercomRunStatus.Failed);
        WriteSummaryOfFailedRun();
        if (_stoppingTerminates) _output.ThrowTerminatingError(_stopping);
        _output.WriteError(_stopping);
    }

    // The second steps are submitted while the first window hands its results back: drained after it.
    private void DrainAll()
    {
        _requests.Drain();
        _steps.Drain();
    }

    /// <summary>
    /// Ends a run that will not complete (stopped, or ended by an error), on the pipeline thread and
    /// with no writes: nothing new is sent, the changes out are settled (<see cref="Settle"/>), the
    /// summary is finished and the journal closed. The first call does it.
    /// </summary>
    private void EndRun(IntercomRunStatus status)
    {
        if (_ended) return;
        _ended = true;
        _stopSending.Cancel();
        Settle();
        EndJournal(_summary.Finish(status));
    }

    /// <summary>
    /// Accounts every change that was queued and not handed back: those on the wire get
    /// <see cref="StopGrace"/> to be answered, then the rest are abandoned (in doubt when they were
    /// sent, not processed when they were not). Their outcome lines go to the journal as they end.
    /// </summary>
    private void Settle() => _changesOut.Settle(StopGrace, change => Account(change, canWrite: false, onApplied: null));

    /// <summary>Writes the journal's last line and closes it; the error that reports a journal whose tail could not be written, or null.</summary>
    private ErrorRecord? EndJournal(IntercomRunSummary summary)
    {
        if (_journal is null) return null;
        try
        {
            _journal.End(summary);
            return null;
        }
        catch (JournalWriteException ex)
        {
            return IntercomErrors.JournalFailed(ex, _journal.Path);
        }
    }

    private void WriteSummaryOfFailedRun()
    {
        try { WriteSummary(_summary.Summary); }
        catch (PipelineStoppedException) { } // already stopping: it stays in -SummaryVariable
    }

    /// <summary>Exactly one summary per run, whichever way it ends.</summary>
    private void WriteSummary(IntercomRunSummary summary)
    {
        if (!_options.WriteSummary || _summaryWritten) return;
        _summaryWritten = true;
        _output.WriteObject(summary);
    }

    // PowerShell allows no writes once the pipeline stops, so a stopped run's summary is only in
    // -SummaryVariable; when this module's code throws, the summary is written before the error goes on.
    private void Guarded(Action work)
    {
        try
        {
            work();
        }
        catch (PipelineStoppedException)
        {
            EndRun(IntercomRunStatus.Stopped);
            throw;
        }
        catch (Exception)
        {
            EndRun(IntercomRunStatus.Failed);
            WriteSummaryOfFailedRun();
            throw;
        }
    }

    /// <summary>A request not sent because an earlier failure ends the run.</summary>
    private sealed class RunStoppedException : Exception
    {
    }
}
