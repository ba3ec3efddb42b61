using System.Management.Automation;
using static IntercomSubscriptions.UnitTests.FailedRecordTestData;

namespace IntercomSubscriptions.UnitTests;

public sealed class FailedRecordsWriterTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("failed-records-writer-tests-").FullName;
    private readonly List<string> _warnings = new();
    private readonly DateTime _utcNow = new(2026, 11, 23, 6, 0, 0, DateTimeKind.Utc);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Folder => Path.Combine(_root, "IntercomSubscriptions-test");

    private RunSummaryCollector Run(string? chosenPath = null, bool keepErrors = true) =>
        new("Add-IntercomContactSubscription", () => TimeSpan.Zero, null,
            new FailedRecordsWriter("Add-IntercomContactSubscription", chosenPath, new FailedRecordRows(null), _warnings.Add, Folder, () => _utcNow),
            keepErrors);

    private static void FailRecords(RunSummaryCollector run, int count, int from = 0)
    {
        for (var i = from; i < from + count; i++)
        {
            run.BeginRecord();
            run.Failed(NotFound(Row(("email", $"c{i:D4}@example.com")), $"c{i:D4}@example.com"), run.Claim());
        }
    }

    [Fact]
    public void Without_a_chosen_path_no_file_is_written_while_the_summary_keeps_every_error()
    {
        var run = Run();
        FailRecords(run, IntercomRunSummary.MaxErrorsKept);

        var summary = run.Finish(IntercomRunStatus.Completed);

        Assert.Null(summary.FailedRecordsPath);
        Assert.False(Directory.Exists(Folder));
    }

    [Fact]
    public void Past_what_the_summary_keeps_every_failed_record_goes_to_a_private_file_in_the_modules_folder()
    {
        var run = Run();
        FailRecords(run, IntercomRunSummary.MaxErrorsKept + 5);

        var summary = run.Finish(IntercomRunStatus.Completed);

        var path = summary.FailedRecordsPath!;
        Assert.Equal(Folder, Path.GetDirectoryName(path));
        Assert.Matches(@"^Add-IntercomContactSubscription-failed-\d{8}-\d{6}-[0-9a-f]{6}\.csv$", Path.GetFileName(path));
        var rows = Read(path).Rows;
        Assert.Equal(IntercomRunSummary.MaxErrorsKept + 5, rows.Count);
        Assert.Equal("c0000@example.com", rows[0][0]);
        Assert.Equal("c0104@example.com", rows[^1][0]);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Folder));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        Assert.Empty(_warnings);
        Assert.Empty(summary.Notes);
    }

    [Fact]
    public void A_folder_someone_else_made_readable_is_made_private_before_a_file_goes_in()
    {
        if (OperatingSystem.IsWindows()) return;
        Directory.CreateDirectory(Folder);
        File.SetUnixFileMode(Folder, (UnixFileMode)Convert.ToInt32("777", 8));
        var run = Run();

        FailRecords(run, IntercomRunSummary.MaxErrorsKept + 1);
        run.Finish(IntercomRunStatus.Completed);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Folder));
    }

    [Fact]
    public void A_chosen_path_is_written_from_the_start_with_every_failed_record_even_one()
    {
        var chosen = Path.Combine(_root, "failed-1.csv");
        var run = Run(chosen);
        Assert.Equal(chosen, run.Summary.FailedRecordsPath);
        Assert.Empty(Read(chosen).Rows);

        FailRecords(run, 1);
        var summary = run.Finish(IntercomRunStatus.Completed);

        Assert.Equal("c0000@example.com", Assert.Single(Read(chosen).Rows)[0]);
        Assert.Single(summary.Errors);
        Assert.False(Directory.Exists(Folder));
    }

    [Fact]
    public void A_chosen_path_of_a_run_where_nothing_failed_holds_no_rows_not_an_earlier_runs()
    {
        var chosen = Path.Combine(_root, "failed.csv");
        File.WriteAllText(chosen, "\"email\",\"IntercomErrorId\",\"IntercomErrorMessage\"\r\n\"stale@example.com\",\"x\",\"y\"\r\n");

        Run(chosen).Finish(IntercomRunStatus.Completed);

        Assert.Empty(Read(chosen).Rows);
    }

    [Fact]
    public void A_chosen_path_is_written_even_when_nobody_sees_the_summary()
    {
        var chosen = Path.Combine(_root, "quiet.csv");
        var run = Run(chosen, keepErrors: false);

        FailRecords(run, 3);
        var summary = run.Finish(IntercomRunStatus.Completed);

        Assert.Equal(3, Read(chosen).Rows.Count);
        Assert.Empty(summary.Errors);
    }

    public static TheoryData<string> Unwritable => new()
    {
        "no-such-folder/failed.csv",     // a folder that is not there
        "a-file/failed.csv",             // a "folder" that is a file
    };

    [Theory]
    [MemberData(nameof(Unwritable))]
    public void A_chosen_path_that_cannot_be_written_is_a_warning_and_a_note_and_the_run_goes_on(string relative)
    {
        File.WriteAllText(Path.Combine(_root, "a-file"), "");
        var chosen = Path.Combine(_root, relative);

        var run = Run(chosen);
        FailRecords(run, IntercomRunSummary.MaxErrorsKept + 3);
        var summary = run.Finish(IntercomRunStatus.Completed);

        Assert.Null(summary.FailedRecordsPath);
        var warning = Assert.Single(_warnings);
        Assert.Contains(chosen, warning);
        Assert.Equal(warning, Assert.Single(summary.Notes));
        Assert.Equal(IntercomRunSummary.MaxErrorsKept, summary.Errors.Count);
        Assert.Equal(3L, summary.ErrorsNotKept);
        Assert.Equal(IntercomRunSummary.MaxErrorsKept + 3L, summary.Failed);
    }

    [Fact]
    public void A_temp_folder_that_cannot_be_written_is_a_warning_and_a_note_at_the_first_record_the_summary_does_not_keep()
    {
        File.WriteAllText(Path.Combine(_root, "temp-is-a-file"), "");
        var run = new RunSummaryCollector("Add-IntercomContactSubscription", () => TimeSpan.Zero, null,
            new FailedRecordsWriter("Add-IntercomContactSubscription", null, new FailedRecordRows(null), _warnings.Add,
                Path.Combine(_root, "temp-is-a-file", "IntercomSubscriptions-test")));

        FailRecords(run, IntercomRunSummary.MaxErrorsKept);
        Assert.Empty(_warnings);
        FailRecords(run, 2, from: IntercomRunSummary.MaxErrorsKept);
        var summary = run.Finish(IntercomRunStatus.Completed);

        Assert.Single(_warnings);
        Assert.Contains("temp-is-a-file", summary.Notes.Single());
        Assert.Null(summary.FailedRecordsPath);
        Assert.Equal(IntercomRunSummary.MaxErrorsKept + 2L, summary.Failed);
    }

    [Fact]
    public void Files_in_the_modules_folder_older_than_seven_days_are_removed_by_the_next_run_that_writes_one_and_nothing_else()
    {
        Directory.CreateDirectory(Folder);
        string Old(string name, int days)
        {
            var path = Path.Combine(Folder, name);
            File.WriteAllText(path, "x");
            File.SetLastWriteTimeUtc(path, _utcNow - TimeSpan.FromDays(days));
            return path;
        }
        var expired = Old("Add-IntercomContactSubscription-failed-20261101-010101-aaaaaa.csv", 8);
        var expiredRewrite = Old(".Set-IntercomContactSubscription-failed-20261101-010101-bbbbbb.csv.0a1b2c3d.tmp", 8);
        var recent = Old("Remove-IntercomContactSubscription-failed-20261120-010101-cccccc.csv", 6);
        var notOurs = Old("notes.txt", 30);

        var run = Run();
        FailRecords(run, IntercomRunSummary.MaxErrorsKept + 1);
        var summary = run.Finish(IntercomRunStatus.Completed);

        Assert.False(File.Exists(expired));
        Assert.False(File.Exists(expiredRewrite));
        Assert.True(File.Exists(recent));
        Assert.True(File.Exists(notOurs));
        Assert.True(File.Exists(summary.FailedRecordsPath));
    }

    [Fact]
    public void The_default_folder_is_one_per_account_in_the_temp_directory()
    {
        var folder = FailedRecordsWriter.DefaultFolder;

        Assert.Equal(Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar), Path.GetDirectoryName(folder));
        Assert.StartsWith("IntercomSubscriptions-", Path.GetFileName(folder), StringComparison.Ordinal);
        Assert.Contains(Environment.UserName.Where(char.IsLetterOrDigit).First(), Path.GetFileName(folder));
    }

    [Fact]
    public void A_stopped_run_leaves_its_file_whole_and_closed()
    {
        var chosen = Path.Combine(_root, "stopped.csv");
        var run = Run(chosen);
        FailRecords(run, 4);

        run.MarkStopped();
        run.Dispose();

        Assert.Equal(4, Read(chosen).Rows.Count);
        using var again = File.Open(chosen, FileMode.Open, FileAccess.ReadWrite, FileShare.None); // nothing holds it open
    }

    [Fact]
    public void A_finished_run_closes_its_file_once_and_its_disposal_after_does_not_fail()
    {
        var chosen = Path.Combine(_root, "finished.csv");
        var run = Run(chosen);
        FailRecords(run, 2);

        run.Finish(IntercomRunStatus.Completed);
        run.Dispose();
        run.Dispose();

        Assert.Equal(2, Read(chosen).Rows.Count);
    }

    [Fact]
    public void A_record_that_fails_after_a_row_of_another_shape_keeps_both_contacts()
    {
        var chosen = Path.Combine(_root, "shapes.csv");
        var run = Run(chosen);
        run.BeginRecord();
        run.Failed(NotFound(Row(("email", "a@example.com"), ("note", "n"))), run.Claim());
        run.BeginRecord();
        run.Failed(NotFound(Table(("contact_id", "c-2"))), run.Claim());
        run.BeginRecord();
        run.Failed(NotFound(PSObject.AsPSObject("b@example.com")), run.Claim());
        run.Finish(IntercomRunStatus.Completed);

        var (header, rows) = Read(chosen);
        // The piped string goes under Email, which is the email column already (names match in any case, as Import-Csv reads them).
        Assert.Equal(["email", "note", "contact_id", "IntercomErrorId", "IntercomErrorMessage"], header);
        Assert.Equal("a@example.com", rows[0][header.IndexOf("email")]);
        Assert.Equal("c-2", rows[1][header.IndexOf("contact_id")]);
        Assert.Equal("b@example.com", rows[2][header.IndexOf("email")]);
    }
}
