using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// One request per contact a record names, through the ordered window: asks ShouldProcess for a
/// change, resolves the contact, runs the cmdlet's request with its Intercom id, hands the result
/// (or the record's ErrorRecord) back in input order, and keeps Write-Progress up to date.
/// The cmdlet builds it in BeginProcessing and gives it delegates, never itself. Each record's
/// outcome goes to the run's <see cref="RunSummaryCollector"/>; with -Summary the results are not
/// written, and the summary is written once when the run ends, however it ends.
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
    private readonly bool _errorsStop;

    /// <param name="pump">The cmdlet's pump (engine messages, then <see cref="ReportProgress"/>), run while the window waits.</param>
    /// <param name="shouldProcess">ShouldProcess(target, action) of the cmdlet.</param>
    /// <param name="writeSummary">WriteObject of the cmdlet when it has -Summary (then results are not written); null otherwise.</param>
    /// <param name="errorsStop">-ErrorAction Stop is in effect: the first error ends the run.</param>
    public ContactRequests(int throttleLimit, ContactResolver resolver, ProgressReporter progress, Action pump,
        Func<string, string, bool> shouldProcess, Action<ErrorRecord> writeError, CancellationToken cancellationToken,
        RunSummaryCollector run, Action<IntercomRunSummary>? writeSummary, Action<string> writeWarning, bool errorsStop)
    {
        _errorsStop = errorsStop;
        _run = run;
        _writeSummary = writeSummary;
        _writeWarning = writeWarning;
        _window = new OrderedRequestWindow<TResult>(throttleLimit, pump, cancellationToken);
        _resolver = resolver;
        _progress = progress;
        _shouldProcess = shouldProcess;
        _writeError = writeError;
    }

    /// <summary>
    /// Queues a request for each of <paramref name="targets"/>. With an <paramref name="action"/>,
    /// each asks ShouldProcess first. Errors name the contact and <paramref name="subjectSuffix"/>,
    /// and have <paramref name="inputObject"/> (the record) as their target.
    /// <paramref name="onResult"/> runs on the pipeline thread, in input order.
    /// </summary>
    public void Submit(IReadOnlyList<ContactTarget> targets, PSObject? inputObject, string? action, string subjectSuffix,
        Func<string, CancellationToken, Task<TResult>> request, Action<TResult> onResult)
    {
        var ticket = _run.Current;
        foreach (var target in targets)
        {
            if (action is not null && !_shouldProcess(target.ToString(), action))
                continue;
            var errorTarget = inputObject ?? (object)target.Value;
            var subject = target + subjectSuffix;
            _run.RequestSent(ticket);
            _window.Submit(
                cancellationToken => _run.Counts.CountAsync(async () =>
                {
                    var contactId = await _resolver.ResolveAsync(target, cancellationToken).ConfigureAwait(false);
                    return await request(contactId, cancellationToken).ConfigureAwait(false);
                }),
                result =>
                {
                    _run.RequestDone(ticket, succeeded: true);
                    if (_writeSummary is null) onResult(result);
                },
                exception =>
                {
                    var error = IntercomErrors.ToErrorRecord(exception, errorTarget, subject);
                    _run.RequestDone(ticket, succeeded: false, error);
                    WriteRecordError(error);
                });
            ReportProgress();
        }
    }

    /// <summary>Updates Write-Progress (throttled); nothing before the first request is queued.</summary>
    public void ReportProgress()
    {
        if (_window.Completed > 0 || _window.Waiting > 0)
            _progress.Report(_window.Completed);
    }

    /// <summary>An error of the current record (a bad row), written by the cmdlet: counted, then written.</summary>
    public void RecordError(ErrorRecord error)
    {
        _run.Failed(error);
        WriteRecordError(error);
    }

    // Under -ErrorAction Stop, PowerShell marks the pipeline as stopping inside WriteError and then
    // refuses every write, so the summary goes out first.
    private void WriteRecordError(ErrorRecord error)
    {
        if (_errorsStop)
            WriteSummaryOfFailedRun();
        _writeError(error);
    }

    private void WriteSummaryOfFailedRun()
    {
        var summary = _run.Finish(IntercomRunStatus.Failed);
        if (_writeSummary is null) return;
        try { _writeSummary(summary); }
        catch (PipelineStoppedException) { } // already stopping: it stays in -SummaryVariable
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
        Guarded(_window.Drain);
        _progress.Complete();
        var summary = _run.Finish(IntercomRunStatus.Completed);
        if (summary.Status == IntercomRunStatus.TimeLimitReached)
            _writeWarning($"The time limit passed after {summary.Elapsed:hh\\:mm\\:ss}: {summary.NotProcessed} input records were not sent. "
                + $"The first {summary.Handled} were handled; resume with Select-Object -Skip {summary.Handled}.");
        _writeSummary?.Invoke(summary);
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

    public void Dispose() => _window.Dispose();
}
