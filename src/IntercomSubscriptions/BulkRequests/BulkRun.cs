using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// The bulk run of one contact cmdlet: every input record (a CSV row, or the command line's values)
/// asks for one request per contact it names. The run resolves each contact, sends the requests
/// through the ordered window (asking ShouldProcess first for a change), hands results and errors
/// back in input order, keeps Write-Progress up to date, and accounts each record in the run's
/// <see cref="RunSummaryCollector"/>: with -Summary no per-record result is written, and the summary
/// is written once when the run ends, however it ends.
/// </summary>
/// <remarks>
/// <para>A record whose outcome only a second request decides (Set: the write that follows the read)
/// gets a <see cref="RecordStep"/>; second steps have a window of their own, drained after the first
/// one, so that their results too come back in input order.</para>
/// <para>Under -ErrorAction Stop the first failing record ends the run: nothing new is sent once a
/// failure is known, the requests in flight finish, and what they changed is reported (output, and a
/// warning naming the record), then the summary, then the terminating error.</para>
/// <para>Everything here runs on the pipeline thread except the requests themselves.</para>
/// </remarks>
internal sealed class BulkRun : IDisposable
{
    private readonly BulkRunOptions _options;
    private readonly IPipelineOutput _output;
    private readonly ContactResolver _contacts;
    private readonly Func<SubscriptionChange, CancellationToken, Task<SubscriptionTypeData>> _sendChange;
    private readonly RunSummaryCollector _summary;
    private readonly ProgressReporter _progress;
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenRegistration _stopRegistration;
    // Each window's results are what to do on the pipeline thread when the request is handed back.
    private readonly OrderedRequestWindow<Action> _requests;
    private readonly OrderedRequestWindow<Action> _steps;
    // Set from worker threads when a request fails under -ErrorAction Stop, read before sending anything.
    private volatile bool _failureSeen;
    // The first failure under -ErrorAction Stop, held back until what was in flight is reported:
    // WriteError then stops the whole pipeline, after which nothing more can be written.
    private ErrorRecord? _stopping;
    private bool _summaryWritten;

    /// <param name="contacts">Resolves the contacts records name by email or external id.</param>
    /// <param name="sendChange">Sends one change to Intercom (the connection's attach or detach); see <see cref="SendChangeAsync"/>.</param>
    /// <param name="summary">The run's summary, which this run owns from now on (and disposes).</param>
    /// <param name="pump">The cmdlet's engine messages, written while the run waits (progress is added here).</param>
    /// <param name="cancellationToken">The cmdlet's stop (Ctrl+C): cancels the requests, and the summary says Stopped.</param>
    public BulkRun(BulkRunOptions options, IPipelineOutput output, ContactResolver contacts,
        Func<SubscriptionChange, CancellationToken, Task<SubscriptionTypeData>> sendChange,
        RunSummaryCollector summary, ProgressReporter progress, Action pump, CancellationToken cancellationToken)
    {
        _options = options;
        _output = output;
        _contacts = contacts;
        _sendChange = sendChange;
        _summary = summary;
        _progress = progress;
        _cancellationToken = cancellationToken;
        // PowerShell may never return to this run's code after a stop: the summary is ended from the stopping thread.
        _stopRegistration = cancellationToken.Register(summary.MarkStopped);
        void PumpAndReport()
        {
            pump();
            ReportProgress();
        }
        _requests = new OrderedRequestWindow<Action>(options.ThrottleLimit, PumpAndReport, cancellationToken);
        _steps = new OrderedRequestWindow<Action>(options.ThrottleLimit, PumpAndReport, cancellationToken);
    }

    /// <summary>The run's summary as it is now; -SummaryVariable holds it from the start.</summary>
    public IntercomRunSummary Summary => _summary.Summary;

    /// <summary>
    /// Runs <paramref name="process"/> (ProcessRecord's work) as one input record of the run; once
    /// -TimeLimit has passed, only counts the record. A stop or terminating error ends the run first.
    /// </summary>
    public void ForRecord(Action process)
    {
        if (!_summary.BeginRecord())
            return;
        Guarded(process);
        _summary.EndRecord();
    }

    /// <summary>
    /// Queues a read for each of <paramref name="targets"/>: no ShouldProcess, reading changes
    /// nothing. <paramref name="onResult"/> gets each result with the contact it was read for, on the
    /// pipeline thread in input order (not under -Summary). Errors name the contact and
    /// <paramref name="subjectSuffix"/>, and target <paramref name="inputObject"/> (the record).
    /// </summary>
    public void SubmitReads<T>(IReadOnlyList<ContactTarget> targets, PSObject? inputObject, string subjectSuffix,
        Func<string, CancellationToken, Task<T>> read, Action<T, ContactTarget> onResult) =>
        Queue(targets, inputObject, null, subjectSuffix, read, (ticket, result, target, _) =>
        {
            _summary.RequestDone(ticket, succeeded: true);
            if (!_options.WriteSummary) onResult(result, target);
        });

    /// <summary>
    /// Queues one change for each of <paramref name="targets"/>, each asked of ShouldProcess as
    /// <paramref name="action"/> first: <paramref name="changeFor"/> says what to send once the
    /// contact's Intercom id is known. <paramref name="onApplied"/> gets Intercom's answer, on the
    /// pipeline thread in input order (not under -Summary).
    /// </summary>
    public void SubmitChanges(IReadOnlyList<ContactTarget> targets, PSObject? inputObject, string action, string subjectSuffix,
        Func<string, SubscriptionChange> changeFor, Action<SubscriptionChange, SubscriptionTypeData, ContactTarget> onApplied) =>
        Queue(targets, inputObject, action, subjectSuffix,
            async (contactId, cancellationToken) =>
            {
                var change = changeFor(contactId);
                return (Change: change, Answer: await SendChangeAsync(change, cancellationToken).ConfigureAwait(false));
            },
            (ticket, applied, target, subject) =>
            {
                _summary.RequestDone(ticket, succeeded: true);
                if (!_options.WriteSummary) onApplied(applied.Change, applied.Answer, target);
                if (_stopping is not null)
                    _output.WriteWarning($"{subject}: applied before -ErrorAction Stop ended the run ({action}).");
            });

    /// <summary>
    /// Queues a read for each of <paramref name="targets"/> whose record's outcome a second step
    /// decides (Set: the read, then the write). <paramref name="then"/> runs on the pipeline thread
    /// in input order, also under -Summary, with the <see cref="RecordStep"/> it must end.
    /// </summary>
    public void SubmitReadsThenStep<T>(IReadOnlyList<ContactTarget> targets, PSObject? inputObject, string subjectSuffix,
        Func<string, CancellationToken, Task<T>> read, Action<T, ContactTarget, RecordStep> then) =>
        Queue(targets, inputObject, null, subjectSuffix, read, (ticket, result, target, subject) =>
        {
            if (_stopping is not null)
            {
                // Nothing new is sent once -ErrorAction Stop ends the run; the read stays open, so the
                // record is counted as not processed, like a request that was not sent.
                _output.WriteWarning($"{subject}: not changed, because another record failed and -ErrorAction Stop ends the run.");
                return;
            }
            // The step holds the record open from before its read is done until the step ends.
            ticket.RequestSent();
            then(result, target, new RecordStep(this, ticket));
            _summary.RequestDone(ticket, succeeded: false);
        });

    /// <summary>
    /// Writes a record's own error found before any request (a row naming no contact, an unknown
    /// type), counting the record as failed. Under -ErrorAction Stop it ends the run the same way a
    /// failed request does: what is in flight finishes and is reported first.
    /// </summary>
    public void WriteRecordError(ErrorRecord record)
    {
        _summary.Failed(record);
        if (!_options.StopOnError || _stopping is not null)
        {
            _output.WriteError(record);
            return;
        }
        _failureSeen = true;
        _stopping = record;
        StoppingOnError(() => { });
    }

    /// <summary>Waits for every queued request, hands the rest back in order, closes the progress bar, and writes the summary.</summary>
    public void Complete()
    {
        Guarded(() => StoppingOnError(DrainAll));
        _progress.Complete();
        var summary = _summary.Finish(IntercomRunStatus.Completed);
        if (summary.Status == IntercomRunStatus.TimeLimitReached)
            _output.WriteWarning($"The time limit passed after {summary.Elapsed:hh\\:mm\\:ss}: {summary.NotProcessed} input records were not sent. "
                + $"The first {summary.Handled} were handled; resume with Select-Object -Skip {summary.Handled}.");
        WriteSummary(summary);
    }

    public void Dispose()
    {
        // A run disposed before it finished was ended from outside: PowerShell may unwind and dispose
        // a stopped pipeline's commands before its stopping thread reaches this one's StopProcessing
        // (or an upstream command's terminating error ends the pipeline without any stop), so the
        // registration above may never fire. -SummaryVariable must still say the run stopped.
        _summary.MarkStopped();
        _stopRegistration.Dispose();
        _requests.Dispose();
        _steps.Dispose();
        _summary.Dispose();
    }

    /// <summary>A second step that needed no request (already in the state asked for): a success, handed back in input order.</summary>
    internal void StepSucceeded(RecordTicket ticket, Action onHandedBack) =>
        _steps.Submit(_ => Task.FromResult<Action>(() =>
        {
            _summary.RequestDone(ticket, succeeded: true);
            if (!_options.WriteSummary) onHandedBack();
        }), handBack => handBack(), _ => { });

    /// <summary>A second step ShouldProcess declined: the record is skipped, unless another part of it failed.</summary>
    internal void StepSkipped(RecordTicket ticket) => _summary.RequestDone(ticket, succeeded: false);

    /// <summary>A second step that sends <paramref name="change"/>; once the run is ending it is not sent, and the record stays not processed.</summary>
    internal void StepSendsChange(RecordTicket ticket, SubscriptionChange change, object errorTarget, string subject, Action onApplied) =>
        _steps.Submit(
            async cancellationToken =>
            {
                ThrowIfRunStopped();
                await SendChangeAsync(change, cancellationToken).ConfigureAwait(false);
                return () =>
                {
                    _summary.RequestDone(ticket, succeeded: true);
                    if (!_options.WriteSummary) onApplied();
                };
            },
            handBack => handBack(),
            exception => Fail(ticket, IntercomErrors.ForContact(exception, change.ContactId), errorTarget, subject));

    /// <summary>
    /// Sends one change to Intercom, from a worker thread. Every request of this module that changes
    /// Intercom goes through here: Add's and Remove's for each contact (<see cref="SubmitChanges"/>)
    /// and Set's second step (<see cref="StepSendsChange"/>); both callers hold the record's ticket.
    /// So this is where a change becomes "sent": the line a write-ahead journal writes before the
    /// request and the one after its answer belong on either side of the await, and a change whose
    /// answer a stop cut off is the one whose record is in doubt.
    /// </summary>
    private Task<SubscriptionTypeData> SendChangeAsync(SubscriptionChange change, CancellationToken cancellationToken) =>
        _sendChange(change, cancellationToken);

    private void Queue<T>(IReadOnlyList<ContactTarget> targets, PSObject? inputObject, string? action, string subjectSuffix,
        Func<string, CancellationToken, Task<T>> request, Action<RecordTicket, T, ContactTarget, string> handBack)
    {
        var ticket = _summary.Current;
        foreach (var target in targets)
        {
            if (action is not null && !_output.ShouldProcess(target.ToString(), action))
                continue;
            var errorTarget = inputObject ?? (object)target.Value;
            var subject = target + subjectSuffix;
            StoppingOnError(() =>
            {
                if (_failureSeen)
                {
                    _requests.Drain(); // hands the failure back, so that StoppingOnError ends the run before anything new is queued
                    if (_stopping is not null) return;
                }
                ticket.RequestSent();
                _requests.Submit(
                    async cancellationToken =>
                    {
                        var result = await ResolveAndRunAsync(target, request, cancellationToken).ConfigureAwait(false);
                        return () => handBack(ticket, result, target, subject);
                    },
                    handBackResult => handBackResult(),
                    exception => Fail(ticket, IntercomErrors.ForContact(exception, target.Value), errorTarget, subject));
            });
            ReportProgress();
        }
    }

    /// <summary>Updates Write-Progress (throttled); nothing before the first request is queued.</summary>
    private void ReportProgress()
    {
        if (_requests.Completed > 0 || _requests.Waiting > 0)
            _progress.Report(_requests.Completed);
    }

    private async Task<T> ResolveAndRunAsync<T>(ContactTarget target, Func<string, CancellationToken, Task<T>> request, CancellationToken cancellationToken)
    {
        try
        {
            ThrowIfRunStopped();
            var contactId = await _contacts.ResolveAsync(target, cancellationToken).ConfigureAwait(false);
            foreach (var other in target.MustMatch ?? Array.Empty<ContactTarget>())
                await CheckSameContactAsync(target, contactId, other, cancellationToken).ConfigureAwait(false);
            ThrowIfRunStopped();
            return await request(contactId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (_options.StopOnError && ex is not (RunStoppedException or OperationCanceledException))
        {
            _failureSeen = true;
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
        if (_failureSeen) throw new RunStoppedException();
    }

    private void Fail(RecordTicket ticket, Exception exception, object errorTarget, string subject)
    {
        // Ctrl+C cancelled the request: the record is not processed (the summary counts it so, and
        // Handled stops before it), not failed; and a stopping pipeline takes no more writes.
        if (_cancellationToken.IsCancellationRequested)
            return;
        if (exception is RunStoppedException)
        {
            // Not sent: the record stays unfinished, so the summary counts it as not processed and
            // Handled (the rows to skip on a re-run) stops before it.
            _output.WriteWarning($"{subject}: not sent, because another record failed and -ErrorAction Stop ends the run.");
            return;
        }
        var record = IntercomErrors.ToErrorRecord(exception, errorTarget, subject);
        _summary.RequestDone(ticket, succeeded: false, record);
        if (_stopping is not null)
        {
            // Only one error can end the run; the others are named so that nothing fails unseen.
            _output.WriteWarning($"{subject}: also failed before the run ended: {IntercomErrors.Public(exception).Message}");
            return;
        }
        if (_options.StopOnError)
        {
            _failureSeen = true;
            _stopping = record;
            return;
        }
        _output.WriteError(record);
    }

    /// <summary>
    /// Runs a window step. Once a failure under -ErrorAction Stop is handed back, waits for what is
    /// in flight (reporting each result), writes the summary, then the failure, which ends the run.
    /// </summary>
    private void StoppingOnError(Action step)
    {
        step();
        if (_stopping is null) return;
        DrainAll();
        _progress.Complete();
        WriteSummaryOfFailedRun();
        _output.WriteError(_stopping);
    }

    // The second steps are submitted while the first window hands its results back: drained after it.
    private void DrainAll()
    {
        _requests.Drain();
        _steps.Drain();
    }

    private void WriteSummaryOfFailedRun()
    {
        try { WriteSummary(_summary.Finish(IntercomRunStatus.Failed)); }
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
            _summary.Finish(IntercomRunStatus.Stopped);
            throw;
        }
        catch (Exception)
        {
            WriteSummaryOfFailedRun();
            throw;
        }
    }

    /// <summary>A request not sent because an earlier failure ends the run under -ErrorAction Stop.</summary>
    private sealed class RunStoppedException : Exception
    {
    }
}
