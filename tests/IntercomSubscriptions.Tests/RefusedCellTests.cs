using System.Management.Automation;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// A CSV row whose cell no parameter can take (a contact id with a '/', a subscription type id that
/// is no number, a consent or a state that is none) among good rows: that row is one non-terminating
/// error of the module naming the value, counted in the summary and written to the failed-records
/// file with its own cells, and the good rows are applied. PowerShell's binder must not refuse it
/// before the cmdlet sees it (which loses it from the summary and the file).
/// </summary>
public sealed class RefusedCellTests : IntercomTestBase, IDisposable
{
    private static readonly string[] TheGoodIds = ["108", "110"];

    private const string Good1 = "63a07ddf05a32042dffbc001";
    private const string Good2 = "63a07ddf05a32042dffbc002";
    private const string Good3 = "63a07ddf05a32042dffbc003";
    private static readonly string[] Good = { Good1, Good2, Good3 };

    private readonly string _folder = Directory.CreateTempSubdirectory("refused-cells-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Text(object? value) => value is PSObject wrapped ? Text(wrapped.BaseObject) : value?.ToString() ?? "";

    public static TheoryData<string, string, string, string, string> BadRows => new()
    {
        // command, the CSV's columns, the bad row's cells, the bad value, what the error calls it (a state has its own error id)
        { "Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in", "contact_id", "../x", "../x", "contact id" },
        { "Add-IntercomContactSubscription -Consent opt_in", "contact_id,subscription_id", $"{Ada},abc", "abc", "subscription type id" },
        { "Add-IntercomContactSubscription -SubscriptionId 108", "contact_id,consent_type", $"{Ada},maybe", "maybe", "consent" },
        { "Remove-IntercomContactSubscription -SubscriptionId 108 -Confirm:$false", "contact_id", "a/b", "a/b", "contact id" },
        { "Remove-IntercomContactSubscription -Confirm:$false", "contact_id,subscription_id", $"{Ada},Newsletters", "Newsletters", "subscription type id" },
        { "Set-IntercomContactSubscription -SubscriptionId 108", "contact_id,state", "../x,Subscribed", "../x", "contact id" },
        { "Set-IntercomContactSubscription -SubscriptionId 108", "contact_id,state", $"{Ada},maybe", "maybe", "state" },
        { "Set-IntercomContactSubscription", "contact_id,subscription_id,state", $"{Ada},1 08,Subscribed", "1 08", "subscription type id" },
    };

    [Theory]
    [MemberData(nameof(BadRows))]
    public void A_row_with_a_cell_no_parameter_takes_is_one_error_counted_and_kept_in_the_failed_records_file(
        string command, string columns, string badCells, string badValue, string calledIt)
    {
        foreach (var id in Good) Server.State.AddContact(id);
        var removing = command.StartsWith("Remove", StringComparison.Ordinal);
        if (removing)
            foreach (var id in Good) Server.State.SetChoice(id, "108", "opt_in");
        string GoodRow(string id) => columns switch
        {
            "contact_id" => id,
            "contact_id,subscription_id" => $"{id},108",
            "contact_id,consent_type" => $"{id},opt_in",
            "contact_id,state" => $"{id},Subscribed",
            _ => $"{id},108,Subscribed",
        };
        var csv = Path.Combine(_folder, "rows.csv");
        File.WriteAllLines(csv, new[] { columns, GoodRow(Good1), GoodRow(Good2), badCells, GoodRow(Good3) });
        Connect();

        var result = Run($"""
            Import-Csv $csv | {command} -Summary -FailedRecordsPath $dir/failed.csv
            ,@(Import-Csv $dir/failed.csv)
            """, new() { ["csv"] = csv, ["dir"] = _folder });

        var errorId = calledIt == "state" ? "IntercomStateColumnMissing" : "IntercomInvalidArgument";
        var error = Assert.Single(result.Errors);
        Assert.Equal(errorId, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal("IntercomSubscriptions.IntercomException", error.Exception.GetType().BaseType?.FullName);
        Assert.Contains($"'{badValue}'", error.ToString());
        Assert.Contains(calledIt, error.ToString(), StringComparison.OrdinalIgnoreCase);
        var target = Assert.IsType<PSObject>(error.TargetObject);
        Assert.Equal(badCells.Split(',')[0], Text(target.Properties["contact_id"].Value));

        var run = (dynamic)new PSView(result.Output[0]);
        Assert.Equal(4L, (long)run.Received);
        Assert.Equal(3L, (long)run.Succeeded);
        Assert.Equal(1L, (long)run.Failed);
        Assert.Equal(4L, (long)run.Handled);
        Assert.Equal(0L, (long)run.NotProcessed);
        var summaryError = Assert.Single((IEnumerable<ErrorRecord>)run.Errors);
        Assert.Equal(errorId, summaryError.FullyQualifiedErrorId.Split(',')[0]);

        // The file holds the row as it came, to be corrected and re-run.
        var failed = Assert.Single(((object[])result.Output[1].BaseObject).Cast<PSObject>());
        var header = columns.Split(',');
        var cells = badCells.Split(',');
        for (var i = 0; i < header.Length; i++)
            Assert.Equal(cells[i], Text(failed.Properties[header[i]].Value));
        Assert.Equal(errorId, Text(failed.Properties["IntercomErrorId"].Value));
        Assert.Contains(badValue, Text(failed.Properties["IntercomErrorMessage"].Value));

        foreach (var id in Good)
            Assert.Equal(removing ? null : "opt_in", Server.State.GetChoices(id).GetValueOrDefault("108"));
    }

    [Fact]
    public void A_piped_row_with_a_bad_contact_id_is_its_own_error_for_Get_and_the_other_rows_are_read()
    {
        Server.State.SetChoice(Ada, "108", "opt_in");
        Server.State.SetChoice(Grace, "108", "opt_in");
        Connect();
        Server.ResetLog();
        var result = Run($"""
            @(
                [pscustomobject]@{"{"} contact_id = '{Ada}' {"}"}
                [pscustomobject]@{"{"} contact_id = '../x' {"}"}
                [pscustomobject]@{"{"} contact_id = '{Grace}' {"}"}
            ) | Get-IntercomContactSubscription
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal("IntercomInvalidArgument", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("'../x'", error.ToString());
        Assert.Contains("contact id", error.ToString());
        Assert.Equal("../x", Text(((PSObject)error.TargetObject).Properties["contact_id"].Value));
        Assert.Equal(new[] { Ada, Grace }, result.Objects("IntercomSubscriptions.ContactSubscription").Select(s => (string)s.ContactId).Distinct());
    }

    [Fact]
    public void A_piped_object_with_a_bad_id_is_its_own_error_for_Get_IntercomSubscriptionType_and_the_others_are_listed()
    {
        Connect();
        var result = Run("""
            @(
                [pscustomobject]@{ subscription_id = '108' }
                [pscustomobject]@{ subscription_id = 'Newsletters' }
                [pscustomobject]@{ subscription_id = '110' }
            ) | Get-IntercomSubscriptionType
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal("IntercomInvalidArgument", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("'Newsletters'", error.ToString());
        Assert.Equal("Newsletters", Text(((PSObject)error.TargetObject).Properties["subscription_id"].Value));
        Assert.Equal(TheGoodIds, result.Objects("IntercomSubscriptions.SubscriptionType").Select(t => (string)t.Id));
    }

    [Theory]
    [InlineData("Get-IntercomSubscriptionType -Id 108,abc", "Id", "'abc'")]
    [InlineData("Add-IntercomContactSubscription -ContactId '../x' -SubscriptionId 108 -Consent opt_in", "ContactId", "'../x'")]
    [InlineData("Add-IntercomContactSubscription -ContactId $ids -SubscriptionId 108 -Consent opt_in", "ContactId", "'a/b'")]
    [InlineData("Add-IntercomContactSubscription -ContactId 63a07ddf05a32042dffac965 -SubscriptionId abc -Consent opt_in", "SubscriptionId", "'abc'")]
    [InlineData("Add-IntercomContactSubscription -ContactId 63a07ddf05a32042dffac965 -SubscriptionId 108 -Consent maybe", "Consent", "'maybe'")]
    [InlineData("Remove-IntercomContactSubscription -ContactId '../x' -SubscriptionId 108 -Confirm:$false", "ContactId", "'../x'")]
    [InlineData("Set-IntercomContactSubscription -ContactId '../x' -SubscriptionId 108 -State Subscribed", "ContactId", "'../x'")]
    [InlineData("Get-IntercomContactSubscription -ContactId '../x'", "ContactId", "'../x'")]
    public void A_bad_value_typed_on_the_command_line_ends_the_command_before_any_request_naming_the_parameter_and_the_value(
        string command, string parameter, string value)
    {
        Connect();
        Server.ResetLog();
        var result = Run($$"""
            $ids = '{{Ada}}', 'a/b', '{{Grace}}'
            try { {{command}}; 'went on' }
            catch { "ended: $($_.FullyQualifiedErrorId)"; $_ }
            """);

        Assert.StartsWith("ended: IntercomInvalidArgument,", Text(result.Output[0]));
        var error = (ErrorRecord)result.Output[1].BaseObject;
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Contains($"parameter '{parameter}'", error.ToString());
        Assert.Contains(value, error.ToString());
        Assert.Empty(Server.Requests);
    }
}
