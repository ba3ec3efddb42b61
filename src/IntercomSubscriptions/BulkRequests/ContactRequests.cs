using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// One request per contact a record names, through the ordered window: asks ShouldProcess for a
/// change, resolves the contact, runs the cmdlet's request with its Intercom id, hands the result
/// (or the record's ErrorRecord) back in input order, and keeps Write-Progress up to date.
/// The cmdlet builds it in BeginProcessing and gives it delegates, never itself.
/// Each record's outcome goes to the run's <see cref="RunSummaryCollector"/>; with -Summary the
/// results are not written, and the summary is written once when the run ends, however it ends.
/// Under -ErrorAction Stop the first failing record ends the run: nothing new is sent once a failure
/// is known, the requests in flight finish, and what they changed is reported (output, and a
/// warning naming the record), then the summary, then the terminating error.
/// </summary>
internal sealed class ContactRequests<TResult> : IDisposable
{
    private readonly OrderedRequestWindow<TResult> _window;
    private readonly ContactResolver _resolver;
    private readonly ProgressReporter _progress;
    private readonly Func<string, string, bool> _shouldProcess;
    private readonly Action<ErrorRecord> _writeError;
    private readonly RunSummaryCollector _run;
    private readonly Action<IntercomRunSummary>? _writeSummary;
    private readonly Action<string> _writeWarning;
    private readonly bool _stopOnError;
    private readonly CancellationToken _cancellationToken;
    // Set from worker threads when a request fails under -ErrorAction Stop, read before sending anything.
    private volatile bool _failureSeen;
    // The first failure under -ErrorAction Stop, held back until what was in flight is reported:
    // WriteError then stops the whole pipeline, after which nothing more can be written.
    private ErrorRecord? _stopping;
    private bool _summaryWritten;

    /// <param name="pump">The cmdlet's pump (engine messages, then <see cref="ReportProgress"/>), run while the window waits.</param>
    /// <param name="shouldProcess">ShouldProcess(target, action) of the cmdlet.</param>
    /// <param name="writeSummary">WriteObject of the cmdlet when it has -Summary (then results are not written); null otherwise.</param>
    /// <param name="stopOnError">The cmdlet runs under -ErrorAction Stop (or $ErrorActionPreference = 'Stop').</param>
    public ContactRequests(int throttleLimit, ContactResolver resolver, ProgressReporter progress, Action pump,
        Func<string, string, bool> shouldProcess, Action<ErrorRecord> writeError, CancellationToken cancellationToken,
        RunSummaryCollector run, Action<IntercomRunSummary>? writeSummary, Action<string> writeWarning, bool stopOnError)
    {
        _window = new OrderedRequestWindow<TResult>(throttleLimit, pump, cancellationToken);
        _resolver = resolver;
        _progress = progress;
        _shouldProcess = shouldProcess;
        _writeError = writeError;
        _run = run;
        _writeSummary = writeSummary;
        _writeWarning = writeWarning;
        _stopOnError = stopOnError;
        _cancellationToken = cancellationToken;
    }

    /// <summary>
    /// Queues a request for each of <paramref name="targets"/>. With an <paramref name="action"/>,
    /// each asks ShouldProcess first. Errors name the contact and <paramref name="subjectSuffix"/>,
    /// and have <paramref name="inputObject"/> (the record) as their target.
    /// <paramref name="onResult"/> runs on the pipeline thread, in input order; <paramref name="stamp"/>
    /// (on a worker) may put on the result what the record named its contact by.
    /// </summary>
    public void Submit(IReadOnlyList<ContactTarget> targets, PSObject? inputObject, string? action, string subjectSuffix,
        Func<string, CancellationToken, Task<TResult>> request, Action<TResult> onResult, Action<TResult, ContactTarget>? stamp = null) =>
        Queue(targets, inputObject, action, subjectSuffix, request, stamp,
            (ticket, result, subject) => Deliver(ticket, result, onResult, action, subject));

    /// <summary>
    /// Like <see cref="Submit"/> for a request that changes nothing and whose record's outcome a second
    /// step decides (Set: the read, then the write). <paramref name="onRead"/> runs also under -Summary,
    /// with the <see cref="RecordStep"/> that the second step must end; the record is counted by that step.
    /// The second step's own window is drained with this one's (<see cref="NextStepDrain"/>).
    /// </summary>
    public void SubmitFirstStep(IReadOnlyList<ContactTarget> targets, PSObject? inputObject, string subjectSuffix,
        Func<string, CancellationToken, Task<TResult>> request, Action<TResult, RecordStep> onRead, Action<TResult, ContactTarget>? stamp = null) =>
        Queue(targets, inputObject, null, subjectSuffix, request, stamp,
            (ticket, result, subject) => ContinueRecord(ticket, result, onRead, subject));

    /// <summary>Waits for the second step's requests (<see cref="SubmitFirstStep"/>) and hands them back; run after this window drains.</summary>
    public Action? NextStepDrain { get; set; }

    private void Queue(IReadOnlyList<ContactTarget> targets, PSObject? inputObject, string? action, string subjectSuffix,
        Func<string, CancellationToken, Task<TResult>> request, Action<TResult, ContactTarget>? stamp, Action<RecordTicket, TResult, string> deliver)
    {
        var ticket = _run.Current;
        foreach (var target in targets)
        {
            if (action is not null && !_shouldProcess(target.ToString(), action))
                continue;
            var errorTarget = inputObject ?? (object)target.Value;
            var subject = target + subjectSuffix;
            StoppingOnError(() =>
            {
                if (_failureSeen)
                {
                    _window.Drain(); // hands the failure back, so that StoppingOnError ends the run before anything new is queued
                    if (_stopping is not null) return;
                }
                _run.RequestSent(ticket);
                _window.Submit(
                    cancellationToken => RunAsync(target, request, stamp, cancellationToken),
                    result => deliver(ticket, result, subject),
                    exception => Fail(ticket, exception, errorTarget, subject));
            });
            ReportProgress();
        }
    }

    /// <summary>
    /// Writes a record's own error found before any request (a row naming no contact, an unknown
    /// type), counting the record as failed. Under -ErrorAction Stop it ends the run the same way a
    /// failed request does: what is in flight finishes and is reported first.
    /// </summary>
    public void WriteRecordError(ErrorRecord record)
    {
        _run.Failed(record);
        if (!_stopOnError || _stopping is not null)
        {
            _writeError(record);
            return;
        }
        _failureSeen = true;
        _stopping = record;
        StoppingOnError(() => { });
    }

    /// <summary>Updates Write-Progress (throttled); nothing before the first request is queued.</summary>
    public void ReportProgress()
    {
        if (_window.Completed > 0 || _window.Waiting > 0)
            _progress.Report(_window.Completed);
    }

    /// <summary>
    /// Runs <paramref name="process"/> (ProcessRecord's work) as one input record of the run; once
    /// -TimeLimit has passed, only counts the record. A stop or terminating error ends the run first.
    /// </summary>
    public void ForRecord(Action process)
    {
        if (!_run.BeginRecord())
            return;
        Guarded(process);
        _run.EndRecord();
    }

    /// <summary>Waits for every queued request, hands the rest back in order, closes the progress bar, and writes the summary.</summary>
    public void Complete()
    {
        Guarded(() => StoppingOnError(DrainAll));
        _progress.Complete();
        var summary = _run.Finish(IntercomRunStatus.Completed);
        if (summary.Status == IntercomRunStatus.TimeLimitReached)
            _writeWarning($"The time limit passed after {summary.Elapsed:hh\\:mm\\:ss}: {summary.NotProcessed} input records were not sent. "
                + $"The first {summary.Handled} were handled; resume with Select-Object -Skip {summary.Handled}.");
        WriteSummary(summary);
    }

    public void Dispose() => _window.Dispose();

    private async Task<TResult> RunAsync(ContactTarget target, Func<string, CancellationToken, Task<TResult>> request,
        Action<TResult, ContactTarget>? stamp, CancellationToken cancellationToken)
    {
        try
        {
            ThrowIfRunStopped();
            var contactId = await _resolver.ResolveAsync(target, cancellationToken).ConfigureAwait(false);
            foreach (var other in target.MustMatch ?? Array.Empty<ContactTarget>())
                await CheckSameContactAsync(target, contactId, other, cancellationToken).ConfigureAwait(false);
            ThrowIfRunStopped();
            var result = await request(contactId, cancellationToken).ConfigureAwait(false);
            stamp?.Invoke(result, target);
            return result;
        }
        catch (Exception ex) when (_stopOnError && ex is not (RunStoppedException or OperationCanceledException))
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
            otherId = await _resolver.ResolveAsync(other, cancellationToken).ConfigureAwait(false);
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

    private void Deliver(RecordTicket ticket, TResult result, Action<TResult> onResult, string? action, string subject)
    {
        _run.RequestDone(ticket, succeeded: true);
        if (_writeSummary is null) onResult(result);
        if (_stopping is not null && action is not null)
            _writeWarning($"{subject}: applied before -ErrorAction Stop ended the run ({action}).");
    }

    private void ContinueRecord(RecordTicket ticket, TResult result, Action<TResult, RecordStep> onRead, string subject)
    {
        if (_stopping is not null)
        {
            // Nothing new is sent once -ErrorAction Stop ends the run; the read stays open, so the
            // record is counted as not processed, like a request that was not sent.
            _writeWarning($"{subject}: not changed, because another record failed and -ErrorAction Stop ends the run.");
            return;
        }
        // The step is opened before the read is done, so that the record stays unfinished until the step ends.
        onRead(result, new RecordStep(_run, ticket, Fail, ThrowIfRunStopped));
        _run.RequestDone(ticket, succeeded: false);
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
            _writeWarning($"{subject}: not sent, because another record failed and -ErrorAction Stop ends the run.");
            return;
        }
        var record = IntercomErrors.ToErrorRecord(exception, errorTarget, subject);
        _run.RequestDone(ticket, succeeded: false, record);
        if (_stopping is not null)
        {
            // Only one error can end the run; the others are named so that nothing fails unseen.
            _writeWarning($"{subject}: also failed before the run ended: {IntercomErrors.Public(exception).Message}");
            return;
        }
        if (_stopOnError)
        {
            _failureSeen = true;
            _stopping = record;
            return;
        }
        _writeError(record);
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
        _writeError(_stopping);
    }

    private void DrainAll()
    {
        _window.Drain();
        NextStepDrain?.Invoke();
    }

    private void WriteSummaryOfFailedRun()
    {
        try { WriteSummary(_run.Finish(IntercomRunStatus.Failed)); }
        catch (PipelineStoppedException) { } // already stopping: it stays in -SummaryVariable
    }

    /// <summary>Exactly one summary per run, whichever way it ends.</summary>
    private void WriteSummary(IntercomRunSummary summary)
    {
        if (_writeSummary is null || _summaryWritten) return;
        _summaryWritten = true;
        _writeSummary(summary);
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
            _run.Finish(IntercomRunStatus.Stopped);
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
