using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// One request per contact a record names, through the ordered window: asks ShouldProcess for a
/// change, resolves the contact, runs the cmdlet's request with its Intercom id, hands the result
/// (or the record's ErrorRecord) back in input order, and keeps Write-Progress up to date.
/// The cmdlet builds it in BeginProcessing and gives it delegates, never itself.
/// </summary>
internal sealed class ContactRequests<TResult> : IDisposable
{
    private readonly OrderedRequestWindow<TResult> _window;
    private readonly ContactResolver _resolver;
    private readonly ProgressReporter _progress;
    private readonly Func<string, string, bool> _shouldProcess;
    private readonly Action<ErrorRecord> _writeError;

    /// <param name="pump">The cmdlet's pump (engine messages, then <see cref="ReportProgress"/>), run while the window waits.</param>
    /// <param name="shouldProcess">ShouldProcess(target, action) of the cmdlet.</param>
    public ContactRequests(int throttleLimit, ContactResolver resolver, ProgressReporter progress, Action pump,
        Func<string, string, bool> shouldProcess, Action<ErrorRecord> writeError, CancellationToken cancellationToken)
    {
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
        foreach (var target in targets)
        {
            if (action is not null && !_shouldProcess(target.ToString(), action))
                continue;
            var errorTarget = inputObject ?? (object)target.Value;
            var subject = target + subjectSuffix;
            _window.Submit(
                async cancellationToken =>
                {
                    var contactId = await _resolver.ResolveAsync(target, cancellationToken).ConfigureAwait(false);
                    return await request(contactId, cancellationToken).ConfigureAwait(false);
                },
                onResult,
                exception => _writeError(IntercomErrors.ToErrorRecord(exception, errorTarget, subject)));
            ReportProgress();
        }
    }

    /// <summary>Updates Write-Progress (throttled); nothing before the first request is queued.</summary>
    public void ReportProgress()
    {
        if (_window.Completed > 0 || _window.Waiting > 0)
            _progress.Report(_window.Completed);
    }

    /// <summary>Waits for every queued request, hands the rest back in order, and closes the progress bar.</summary>
    public void Complete()
    {
        _window.Drain();
        _progress.Complete();
    }

    public void Dispose() => _window.Dispose();
}
