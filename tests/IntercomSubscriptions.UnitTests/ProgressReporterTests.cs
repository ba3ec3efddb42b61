using System.Management.Automation;

namespace IntercomSubscriptions.UnitTests;

public sealed class ProgressReporterTests
{
    private TimeSpan _now;
    private readonly RecordingOutput _output = new();

    private List<ProgressRecord> Written => _output.Progress;

    private ProgressReporter Reporter(long? expectedTotal) => new("Testing", expectedTotal, () => _now, _output);

    [Fact]
    public void Quiet_for_the_first_second()
    {
        var progress = Reporter(100);
        _now = ProgressReporter.Delay - TimeSpan.FromMilliseconds(1);
        progress.Report(10);
        progress.Complete();

        Assert.Empty(Written);
    }

    [Fact]
    public void At_most_one_update_per_interval_and_completed_at_the_end()
    {
        var progress = Reporter(100);
        _now = TimeSpan.FromSeconds(2);
        progress.Report(20);
        _now += ProgressReporter.Interval - TimeSpan.FromMilliseconds(1);
        progress.Report(21);
        _now += TimeSpan.FromMilliseconds(1);
        progress.Report(22);
        progress.Complete();

        Assert.Equal(3, Written.Count);
        Assert.Equal("20 of 100 records (10/s)", Written[0].StatusDescription);
        Assert.Equal(20, Written[0].PercentComplete);
        Assert.Equal(8, Written[0].SecondsRemaining);
        Assert.Equal(22, Written[1].PercentComplete);
        Assert.Equal(ProgressRecordType.Completed, Written[2].RecordType);
        Assert.All(Written, r => Assert.Equal("Testing", r.Activity));
    }

    [Fact]
    public void Without_a_known_total_counts_records_and_shows_no_percentage()
    {
        var progress = Reporter(null);
        _now = TimeSpan.FromSeconds(4);
        progress.Report(2000);

        var record = Assert.Single(Written);
        Assert.Equal("2,000 records (500/s)", record.StatusDescription);
        Assert.Equal(-1, record.PercentComplete);
        Assert.Equal(-1, record.SecondsRemaining);
    }
}
