using System.Diagnostics;
using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// A cmdlet that makes one request per input record: requests overlap up to -ThrottleLimit,
/// output stays in input order, and Write-Progress tells how far a long run is.
/// </summary>
public abstract class IntercomBulkCmdlet<TResult> : IntercomConnectedCmdlet
{
    // Progress costs a host round trip; a few updates a second is plenty, and none for quick runs.
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ProgressDelay = TimeSpan.FromSeconds(1);

    private OrderedRequestWindow<TResult>? _window;
    private readonly Stopwatch _elapsed = new();
    private TimeSpan _lastProgress;
    private bool _progressShown;

    /// <summary>
    /// How many requests may be in flight at once (1 = one after another). Intercom allows about
    /// 166 requests a second per app; the module paces itself by Intercom's rate-limit headers.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 8;

    /// <summary>
    /// The pipeline record as it came (a CSV row, say), so that an error names the very record that
    /// failed. Hidden: the real parameters bind from the same record by property name.
    /// </summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    /// <summary>What Write-Progress calls the run.</summary>
    internal abstract string ProgressActivity { get; }

    /// <summary>How many records the run will have, when known (an array given to a parameter).</summary>
    internal long? ExpectedTotal { get; set; }

    private OrderedRequestWindow<TResult> Window => _window ??= new OrderedRequestWindow<TResult>(this, ThrottleLimit, CancellationToken);

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _elapsed.Start();
    }

    /// <summary>Queues one record's request; <paramref name="onResult"/> and <paramref name="onError"/> run on the pipeline thread, in input order.</summary>
    internal void Submit(object? target, string subject, Func<CancellationToken, Task<TResult>> start, Action<TResult> onResult)
    {
        Window.Submit(start, onResult, exception => WriteError(IntercomErrors.ToErrorRecord(exception, target, subject)));
        ReportProgress();
    }

    protected override void EndProcessing()
    {
        _window?.Drain();
        if (_progressShown)
            WriteProgress(new ProgressRecord(1, ProgressActivity, "Done") { RecordType = ProgressRecordType.Completed });
        base.EndProcessing();
    }

    internal override void Pump()
    {
        base.Pump();
        ReportProgress();
    }

    private void ReportProgress()
    {
        if (_window is null) return;
        var now = _elapsed.Elapsed;
        if (now < ProgressDelay || now - _lastProgress < ProgressInterval) return;
        _lastProgress = now;
        _progressShown = true;
        var done = _window.Completed;
        var rate = done / Math.Max(0.001, now.TotalSeconds);
        var status = ExpectedTotal is { } total && total > 0
            ? $"{done:N0} of {total:N0} records ({rate:N0}/s)"
            : $"{done:N0} records ({rate:N0}/s)";
        var record = new ProgressRecord(1, ProgressActivity, status);
        if (ExpectedTotal is { } expected && expected > 0)
        {
            record.PercentComplete = (int)Math.Min(100, done * 100 / expected);
            var remaining = expected - done;
            if (rate > 0) record.SecondsRemaining = (int)(remaining / rate);
        }
        WriteProgress(record);
    }
}
