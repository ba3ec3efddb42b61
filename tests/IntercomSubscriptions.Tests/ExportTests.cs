using System.Management.Automation;
using System.Text.RegularExpressions;
using FakeIntercom;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// What Export-Csv and ConvertTo-Csv (PowerShell's own, from Microsoft.PowerShell.SDK) write for
/// every type the cmdlets output: values a spreadsheet shows, never a .NET type name, while the
/// typed properties scripts use stay typed.
/// </summary>
public sealed class ExportTests : IntercomTestBase
{
    // A .NET type name as ToString() of an object without its own gives it: System.String[],
    // IntercomSubscriptions.SubscriptionTypeTranslation[], System.Collections.ObjectModel.ReadOnlyCollection`1[…].
    private static readonly Regex TypeName = new(@"(^|[\s,;""])(System|IntercomSubscriptions|Microsoft)\.[A-Za-z.`\d]+(\[|\b)", RegexOptions.Compiled);

    private void AddTypeWithTranslations() =>
        Server.State.AddSubscriptionType("120", "Offers", contentTypes: ["email", "sms_message"],
            description: "Deals", translations: new[] { new TranslationRecord("fr", "Offres, promos", "Bons plans") });

    [Fact]
    public void Every_output_type_exports_as_values_a_spreadsheet_shows()
    {
        AddTypeWithTranslations();
        Server.State.SetChoice(Ada, Newsletters, "opt_in");
        Connect("-MaxRetries 0");
        var journal = Path.Combine(Path.GetTempPath(), $"intercom-export-{Guid.NewGuid():N}.jsonl");

        var result = Run($$"""
            $outputs = @(
                Get-IntercomConnection
                Get-IntercomSubscriptionType
                Get-IntercomContactSubscription -ContactId {{Ada}} -IncludeDefault
                Get-IntercomContactSubscription -All
                Set-IntercomContactSubscription -ContactId {{Grace}} -SubscriptionId 108 -State Subscribed -Confirm:$false
                Add-IntercomContactSubscription -ContactId {{Grace}} -SubscriptionId 110 -JournalPath $journal
                Get-IntercomJournal $journal
                Get-IntercomJournal $journal -Undo 3>$null
                @([pscustomobject]@{ email = 'nobody@example.com' }, [pscustomobject]@{ contact_id = '{{Ada}}' }) |
                    Add-IntercomContactSubscription -SubscriptionId 110 -Summary -ErrorAction SilentlyContinue
            )
            $outputs | Group-Object { $_.GetType().FullName } | ForEach-Object {
                [pscustomobject]@{ Type = $_.Name; Csv = ($_.Group | ConvertTo-Csv -NoTypeInformation) -join "`n" }
            }
            (Get-Command -Module IntercomSubscriptions).OutputType.Type.FullName | Where-Object { $_ -ne 'System.Void' } | Sort-Object -Unique | ForEach-Object { "declared $_" }
            """, new() { ["journal"] = journal });
        File.Delete(journal);

        Assert.Empty(result.Errors);
        var exported = result.Output.Where(o => o.BaseObject is PSCustomObject).ToDictionary(o => (string)o.Properties["Type"].Value, o => (string)o.Properties["Csv"].Value);
        var declared = result.Output.Select(o => o.BaseObject).OfType<string>().Where(s => s.StartsWith("declared ", StringComparison.Ordinal))
            .Select(s => s["declared ".Length..]).ToList();
        Assert.NotEmpty(declared);
        // Each type a cmdlet says it outputs was produced and exported here.
        Assert.All(declared, type => Assert.Contains(type, exported.Keys));
        foreach (var (type, csv) in exported)
        {
            var lines = csv.Split('\n');
            Assert.True(lines.Length >= 2, $"{type}: {csv}");
            var typeNames = TypeName.Matches(csv).Select(m => m.Value.Trim()).ToList();
            Assert.True(typeNames.Count == 0, $"{type} exports type names ({string.Join(", ", typeNames)}):\n{csv}");
        }
        Assert.Contains("\"Errors\"", exported["IntercomSubscriptions.IntercomRunSummary"]);
        Assert.Contains("\"1 IntercomContactNotFound\"", exported["IntercomSubscriptions.IntercomRunSummary"]);
    }

    [Fact]
    public void Export_Csv_writes_lists_joined_and_the_objects_keep_their_typed_lists()
    {
        AddTypeWithTranslations();
        Connect();
        var path = Path.Combine(Path.GetTempPath(), $"intercom-export-{Guid.NewGuid():N}.csv");
        try
        {
            var result = Run("""
                $t = Get-IntercomSubscriptionType -Id 120
                $t | Export-Csv -Path $path -NoTypeInformation
                $row = Import-Csv -Path $path
                'csv|{0}|{1}' -f $row.ContentTypes, $row.Translations
                'typed|{0}|{1}|{2}|{3}|{4}|{5}' -f $t.ContentTypes[0], $t.ContentTypes.Count, $t.ContentTypes.Length, ($t.ContentTypes -contains 'sms_message'), ($t.ContentTypes -join '+'), $t.Translations[1].Locale
                $json = $t | ConvertTo-Json -Depth 4 | ConvertFrom-Json
                'json|{0}|{1}|{2}' -f $json.ContentTypes.Count, $json.ContentTypes[1], $json.Translations[1].Name
                'text|{0}' -f "$($t.ContentTypes)"
                $s = Get-IntercomContactSubscription -ContactId $ada -IncludeDefault | Where-Object SubscriptionId -eq 120
                'contact|{0}|{1}' -f ($s | ConvertTo-Csv -NoTypeInformation | Select-Object -Last 1).Contains('"email, sms_message"'), $s.ContentTypes[1]
                """, new() { ["path"] = path, ["ada"] = Ada });

            Assert.Empty(result.Errors);
            Assert.Equal(new object[]
            {
                "csv|email, sms_message|en: Offers; fr: Offres, promos",
                "typed|email|2|2|True|email+sms_message|fr",
                "json|2|sms_message|Offres, promos",
                "text|email sms_message",
                "contact|True|sms_message",
            }, result.Output.Select(o => o.BaseObject));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
