using System.Management.Automation;

namespace IntercomSubscriptions.UnitTests;

public sealed class ProgressReporterTests
{
    private TimeSpan _now;
    private readonly List<ProgressRecord> _written = new();

    private ProgressReporter Reporter(long? expectedTotal) => new("Testing", expectedTotal, () => _now, _written.Add);

    [Fact]
    public void Quiet_for_the_first_second()
    {
        var progress = Reporter(100);
        _now = ProgressReporter.Delay - TimeSpan.FromMilliseconds(1);
        progress.Report(10);
        progress.Complete();

        Assert.Empty(_written);
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

        Assert.Equal(3, _written.Count);
        Assert.Equal("20 of 100 records (10/s)", _written[0].StatusDescription);
        Assert.Equal(20, _written[0].PercentComplete);
        Assert.Equal(8, _written[0].SecondsRemaining);
        Assert.Equal(22, _written[1].PercentComplete);
        Assert.Equal(ProgressRecordType.Completed, _written[2].RecordType);
        Assert.All(_written, r => Assert.Equal("Testing", r.Activity));
    }

    [Fact]
    public void Without_a_known_total_counts_records_and_shows_no_percentage()
    {
        var progress = Reporter(null);
        _now = TimeSpan.FromSeconds(4);
        progress.Report(2000);

        var record = Assert.Single(_written);
        Assert.Equal("2,000 records (500/s)", record.StatusDescription);
        Assert.Equal(-1, record.PercentComplete);
        Assert.Equal(-1, record.SecondsRemaining);
    }
}
