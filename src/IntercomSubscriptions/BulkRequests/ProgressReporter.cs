using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// Write-Progress for a long run: how many records are done, the rate, and (when the total is
/// known) the percentage and time left. Quiet for the first second, then at most a few updates a
/// second: each update costs a host round trip.
/// </summary>
internal sealed class ProgressReporter
{
    internal static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    internal static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);

    private readonly string _activity;
    private readonly long? _expectedTotal;
    private readonly Func<TimeSpan> _elapsed;
    private readonly IPipelineOutput _output;
    private TimeSpan _lastShown;
    private bool _shown;

    /// <param name="expectedTotal">How many records the run will have, when known (an array given to a parameter).</param>
    /// <param name="elapsed">Time since the run began (a Stopwatch's Elapsed; a fake clock in tests).</param>
    /// <param name="output">Where the progress records go; written on the pipeline thread only.</param>
    public ProgressReporter(string activity, long? expectedTotal, Func<TimeSpan> elapsed, IPipelineOutput output)
    {
        _activity = activity;
        _expectedTotal = expectedTotal is > 0 ? expectedTotal : null;
        _elapsed = elapsed;
        _output = output;
    }

    /// <summary>Shows <paramref name="done"/> records done, unless too early or too soon after the last update.</summary>
    public void Report(long done)
    {
        var now = _elapsed();
        if (now < Delay || now - _lastShown < Interval) return;
        _lastShown = now;
        _shown = true;
        var rate = done / Math.Max(0.001, now.TotalSeconds);
        var status = _expectedTotal is { } total
            ? $"{done:N0} of {total:N0} records ({rate:N0}/s)"
            : $"{done:N0} records ({rate:N0}/s)";
        var record = new ProgressRecord(1, _activity, status);
        if (_expectedTotal is { } expected)
        {
            record.PercentComplete = (int)Math.Min(100, done * 100 / expected);
            var remaining = expected - done;
            if (rate > 0) record.SecondsRemaining = (int)(remaining / rate);
        }
        _output.WriteProgress(record);
    }

    /// <summary>Closes the progress bar, if one was shown.</summary>
    public void Complete()
    {
        if (_shown)
            _output.WriteProgress(new ProgressRecord(1, _activity, "Done") { RecordType = ProgressRecordType.Completed });
    }
}
