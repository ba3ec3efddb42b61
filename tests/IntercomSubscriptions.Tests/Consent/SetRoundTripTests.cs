using System.Diagnostics.CodeAnalysis;
using FakeIntercom;

namespace IntercomSubscriptions.Tests.Consent;

/// <summary>
/// Get-IntercomContactSubscription piped into Set-IntercomContactSubscription means "make it so":
/// the state comes from the subscription's Source and Subscribed, never from its type's lifecycle
/// State; between two workspaces, contacts are matched by email and types by name.
/// </summary>
public sealed class SetRoundTripTests : IntercomTestBase
{
    private const string Attaches = "POST /contacts/{id}/subscriptions";
    private const string Detaches = "DELETE /contacts/{id}/subscriptions/{typeId}";

    private int Writes => Server.CallCount(Attaches) + Server.CallCount(Detaches);

    /// <summary>A contact's explicit choices on a fake, as one text: "109=opt_out 110=opt_in".</summary>
    internal static string Choices(FakeIntercomServer server, string contactId) =>
        string.Join(" ", server.State.GetChoices(contactId).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));

    [Fact]
    public void Get_piped_into_Set_for_another_contact_copies_the_choices_and_the_types_live_state_binds_to_nothing()
    {
        Server.State.SetChoice(Ada, SmsOffers, "opt_in");   // Ada: opted out of 109 (sample data), into 110
        Connect();
        Server.ResetLog();

        var result = Run($"Get-IntercomContactSubscription -ContactId {Ada} | Set-IntercomContactSubscription -ContactId {Grace} -Confirm:$false");

        Assert.Empty(result.Errors);
        Assert.Equal("109=opt_out 110=opt_in", Choices(Server, Grace));
        var changes = result.Objects("IntercomSubscriptions.ContactSubscriptionChange").ToList();
        Assert.Equal(["Unsubscribed", "Subscribed"], changes.Select(c => c.State.ToString()));
        Assert.Equal(2, Writes);
    }

    [Fact]
    public void Set_of_what_Get_says_a_contact_has_writes_nothing_with_or_without_its_defaults()
    {
        Server.State.SetChoice(Ada, SmsOffers, "opt_in");
        Connect();
        Server.ResetLog();

        var result = Run($$"""
            Get-IntercomContactSubscription -ContactId {{Ada}} | Set-IntercomContactSubscription -Confirm:$false
            Get-IntercomContactSubscription -ContactId {{Ada}} -IncludeDefault | Set-IntercomContactSubscription -Confirm:$false
            """);

        Assert.Empty(result.Errors);
        Assert.Equal(0, Writes);
        var changes = result.Objects("IntercomSubscriptions.ContactSubscriptionChange").ToList();
        Assert.Equal(2 + 3, changes.Count);                       // 109 and 110; then 108, 109 and 110 (111 is archived)
        Assert.All(changes, c => Assert.False((bool)c.Changed));
    }

    [Fact]
    public void Get_IncludeDefault_piped_into_Set_mirrors_the_contact_its_defaults_remove_choices_the_other_contact_has()
    {
        Server.State.SetChoice(Ada, SmsOffers, "opt_in");
        Server.State.SetChoice(Grace, Newsletters, "opt_in");   // Ada has no choice for 108: Grace's goes
        Connect();

        var result = Run($"Get-IntercomContactSubscription -ContactId {Ada} -IncludeDefault | Set-IntercomContactSubscription -ContactId {Grace} -Confirm:$false");

        Assert.Empty(result.Errors);
        Assert.Equal("109=opt_out 110=opt_in", Choices(Server, Grace));
    }

    [Fact]
    public void An_exported_Get_imported_into_Set_makes_it_so_too_and_a_wishes_file_with_a_state_column_still_decides()
    {
        Server.State.SetChoice(Ada, SmsOffers, "opt_in");
        Connect();
        var folder = Directory.CreateTempSubdirectory("set-round-trip-").FullName;

        ScriptResult result;
        try
        {
            result = Run($$"""
            Get-IntercomContactSubscription -ContactId {{Ada}} -IncludeDefault | Export-Csv $dir/ada.csv -NoTypeInformation
            Import-Csv $dir/ada.csv | Set-IntercomContactSubscription -ContactId {{Grace}} -Confirm:$false | Out-Null
            [pscustomobject]@{ contact_id = '{{Grace}}'; subscription_id = '110'; state = 'Default'; Source = 'Explicit'; Subscribed = 'True' } |
                Set-IntercomContactSubscription -Confirm:$false | ForEach-Object Action
            """, new() { ["dir"] = folder });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        Assert.Empty(result.Errors);
        // The wish's state column decides over Source and Subscribed: 110 goes back to its default.
        Assert.Equal("remove", result.Output.Single().BaseObject);
        Assert.Equal("109=opt_out", Choices(Server, Grace));
    }

    [Theory]
    [InlineData("[pscustomobject]@{ contact_id = '63a07ddf05a32042dffac966'; subscription_id = '108'; state = 'live' }", "The state 'live' is not Subscribed, Unsubscribed or Default.")]
    [InlineData("[pscustomobject]@{ contact_id = '63a07ddf05a32042dffac966'; subscription_id = '108'; Source = 'Sometimes' }", "Source 'Sometimes'")]
    [InlineData("[pscustomobject]@{ contact_id = '63a07ddf05a32042dffac966'; subscription_id = '108'; Subscribed = 'maybe' }", "Subscribed 'maybe'")]
    [InlineData("[pscustomobject]@{ contact_id = '63a07ddf05a32042dffac966'; subscription_id = '108'; Source = 'Explicit' }", "Subscribed is empty")]
    public void A_record_that_says_no_state_fails_alone_naming_what_it_says(string record, string message)
    {
        Connect();
        Server.ResetLog();

        var result = Run(record + " | Set-IntercomContactSubscription -Confirm:$false");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomStateColumnMissing", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains(message, error.ToString());
        Assert.Equal(0, Writes);
    }

    [Fact]
    public void A_command_line_State_decides_over_what_Get_says()
    {
        Server.State.SetChoice(Grace, Newsletters, "opt_in");
        Connect();

        Run("Get-IntercomContactSubscription -All -SubscriptionId 108 | Set-IntercomContactSubscription -State Default -Confirm:$false");

        Assert.Equal("", Choices(Server, Grace));
    }
}

/// <summary>Two workspaces, each its own fake: Get through one connection piped into Set through the other.</summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable",
    Justification = "xunit disposes the shell in IAsyncLifetime.DisposeAsync, an interface the rule does not know.")]
public sealed class SetAcrossWorkspacesTests : IAsyncLifetime
{
    private FakeIntercomServer _a = null!;
    private FakeIntercomServer _b = null!;
    private PowerShellSession _shell = null!;

    public async Task InitializeAsync()
    {
        // Workspace A: the sample data (Ada opted out of 109 Product updates) and Ada opted in to 110 SMS offers.
        _a = await FakeIntercomServer.StartAsync(new FakeIntercomOptions { Token = "token-of-workspace-a" });
        _a.State.SetChoice(Ada, SmsOffers, "opt_in");
        // Workspace B: the same type names under other ids, 108 a type A does not have, Ada under another id.
        _b = await FakeIntercomServer.StartAsync(new FakeIntercomOptions { Token = "token-of-workspace-b", SeedSampleData = false });
        _b.State.AddSubscriptionType("108", "Partner offers", "opt_in");
        _b.State.AddSubscriptionType("208", "Newsletters", "opt_in");
        _b.State.AddSubscriptionType("209", "Product updates", "opt_out");
        _b.State.AddSubscriptionType("210", "SMS offers", "opt_in", contentTypes: ["sms_message"]);
        _b.State.AddContact("b-ada", email: AdaEmail);
        _b.State.SetChoice("b-ada", "208", "opt_in");          // A has no choice for Newsletters: a mirror removes this one
        _shell = new PowerShellSession();
    }

    public async Task DisposeAsync()
    {
        _shell.Dispose();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private ScriptResult Run(string script) => _shell.Run("""
        $a = Connect-Intercom -BaseUri $uriA -Token (ConvertTo-SecureString $tokenA -AsPlainText -Force) -PassThru
        $b = Connect-Intercom -BaseUri $uriB -Token (ConvertTo-SecureString $tokenB -AsPlainText -Force) -PassThru

        """ + script, new()
    {
        ["uriA"] = _a.BaseUri, ["tokenA"] = _a.Token, ["uriB"] = _b.BaseUri, ["tokenB"] = _b.Token,
    });

    private static string Choices(FakeIntercomServer server, string contactId) => SetRoundTripTests.Choices(server, contactId);

    [Fact]
    public void Get_through_one_connection_piped_into_Set_through_another_copies_the_choices_by_email_and_type_name()
    {
        var result = Run($"Get-IntercomContactSubscription -Email {AdaEmail} -IncludeDefault -Connection $a | Set-IntercomContactSubscription -Connection $b -Confirm:$false");

        Assert.Empty(result.Errors);
        Assert.Equal("209=opt_out 210=opt_in", Choices(_b, "b-ada"));
        // B's own 108 is another type: untouched; A is only read.
        Assert.DoesNotContain(_b.State.GetChoices("b-ada"), c => c.Key == "108");
        Assert.Equal("109=opt_out 110=opt_in", Choices(_a, Ada));
        Assert.DoesNotContain(_a.Requests, r => r.Method is "POST" or "DELETE" && r.RawPath.Contains("/subscriptions", StringComparison.Ordinal));
    }

    [Fact]
    public void By_id_with_IncludeDefault_the_contacts_email_is_read_so_the_copy_finds_it_in_the_other_workspace()
    {
        var result = Run($"Get-IntercomContactSubscription -ContactId {Ada} -IncludeDefault -Connection $a | Set-IntercomContactSubscription -Connection $b -Confirm:$false");

        Assert.Empty(result.Errors);
        Assert.Equal("209=opt_out 210=opt_in", Choices(_b, "b-ada"));
    }

    [Fact]
    public void A_subscription_read_by_id_alone_is_refused_in_the_other_workspace_saying_how_to_read_it_and_nothing_is_written()
    {
        var result = Run($"Get-IntercomContactSubscription -ContactId {Ada} -Connection $a | Set-IntercomContactSubscription -Connection $b -Confirm:$false");

        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, e => Assert.Contains("-Email", e.ToString()));
        Assert.Equal("208=opt_in", Choices(_b, "b-ada"));
        Assert.DoesNotContain(_b.Requests, r => r.Method is "POST" or "DELETE");
    }

    [Fact]
    public void Add_through_another_connection_matches_by_email_and_type_name_too()
    {
        var result = Run($"Get-IntercomContactSubscription -Email {AdaEmail} -Connection $a | Add-IntercomContactSubscription -Connection $b");

        Assert.Empty(result.Errors);
        Assert.Equal("208=opt_in 209=opt_out 210=opt_in", Choices(_b, "b-ada"));
    }

    [Fact]
    public void Through_a_file_the_copy_works_once_the_ids_are_left_out_as_the_README_shows()
    {
        var folder = Directory.CreateTempSubdirectory("across-workspaces-").FullName;
        try
        {
            var result = Run($$"""
                Get-IntercomContactSubscription -Email {{AdaEmail}} -IncludeDefault -Connection $a |
                    Select-Object Email, @{ n = 'SubscriptionName'; e = 'Name' }, Source, Subscribed |
                    Export-Csv $dir/ada.csv -NoTypeInformation
                Import-Csv $dir/ada.csv | Set-IntercomContactSubscription -Connection $b -Confirm:$false | Out-Null
                """.Replace("$dir/ada.csv", "'" + Path.Combine(folder, "ada.csv") + "'"));

            Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
            Assert.Equal("209=opt_out 210=opt_in", Choices(_b, "b-ada"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Through_the_same_connection_ids_are_used_as_they_are()
    {
        var result = Run($"Get-IntercomContactSubscription -ContactId {Ada} -Connection $a | Set-IntercomContactSubscription -ContactId {Grace} -Connection $a -Confirm:$false");

        Assert.Empty(result.Errors);
        Assert.Equal("109=opt_out 110=opt_in", Choices(_a, Grace));
    }
}
