using System.Management.Automation;
using FakeIntercom;

namespace IntercomSubscriptions.Tests;

public sealed class ContactSubscriptionTests : IntercomTestBase
{

    [Fact]
    public void Csv_rows_opt_in_a_hundred_contacts_through_the_pipeline()
    {
        var ids = Enumerable.Range(0, 100).Select(i => $"c{i:D4}").ToArray();
        foreach (var id in ids) Server.State.AddContact(id);
        Connect();

        var folder = Directory.CreateTempSubdirectory("intercom-csv-");
        ScriptResult result;
        try
        {
            var csv = Path.Combine(folder.FullName, "contacts.csv");
            File.WriteAllLines(csv, ids.Select(id => $"{id},x").Prepend("contact_id,name"));
            result = Run("Import-Csv $csv | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in", new() { ["csv"] = csv });
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        Assert.Empty(result.Errors);
        var output = result.Objects("IntercomSubscriptions.ContactSubscription").ToList();
        Assert.Equal(ids, output.Select(o => (string)o.ContactId));
        Assert.All(output, o =>
        {
            Assert.Equal("108", o.SubscriptionId);
            Assert.Equal("Newsletters", o.Name);
            Assert.Equal("Explicit", o.Source);
            Assert.True(o.Subscribed);
        });
        foreach (var id in ids)
            Assert.Equal("opt_in", Server.State.GetChoices(id)["108"]);
        var posts = ApiRequests("POST");
        Assert.Equal(100, posts.Count);
        Assert.All(posts, p => Assert.Contains("\"id\":\"108\"", p.Body));
    }

    [Fact]
    public void Output_objects_carry_their_PowerShell_type_names()
    {
        Connect();
        var result = Run($"(Add-IntercomContactSubscription -ContactId {Ada} -SubscriptionId 108 -Consent opt_in).PSObject.TypeNames[0]");
        Assert.Empty(result.Errors);
        Assert.Equal("IntercomSubscriptions.ContactSubscription", result.Output.Single().BaseObject);
    }

    [Fact]
    public void Get_lists_a_contacts_explicit_choices()
    {
        Server.State.SetChoice(Ada, "108", "opt_in");
        Connect();

        var result = Run($"Get-IntercomContactSubscription -ContactId {Ada}");

        Assert.Empty(result.Errors);
        var output = result.Objects("IntercomSubscriptions.ContactSubscription").OrderBy(o => (string)o.SubscriptionId).ToList();
        Assert.Equal(["108", "109"], output.Select(o => (string)o.SubscriptionId));
        Assert.All(output, o => Assert.Equal(Ada, o.ContactId));
        Assert.True(output[0].Subscribed);   // opt_in type, explicit: opted in
        Assert.False(output[1].Subscribed);  // opt_out type, explicit: opted out
    }

    [Fact]
    public void Get_piped_into_Remove_binds_by_property_name_and_clears_the_choices()
    {
        Server.State.SetChoice(Ada, "108", "opt_in");
        Connect();

        var result = Run($"Get-IntercomContactSubscription -ContactId {Ada} | Remove-IntercomContactSubscription -Confirm:$false");

        Assert.Empty(result.Errors);
        Assert.Empty(result.Output);
        Assert.Empty(Server.State.GetChoices(Ada));
        var deletes = ApiRequests("DELETE").Select(r => r.RawPath).OrderBy(p => p).ToList();
        Assert.Equal(new[] { $"/contacts/{Ada}/subscriptions/108", $"/contacts/{Ada}/subscriptions/109" }, deletes);
    }

    [Fact]
    public void Remove_with_PassThru_emits_what_now_applies()
    {
        Connect();
        var result = Run($"Remove-IntercomContactSubscription -ContactId {Ada} -SubscriptionId 109 -PassThru -Confirm:$false");
        Assert.Empty(result.Errors);
        var removed = Assert.Single(result.Objects("IntercomSubscriptions.ContactSubscription"));
        Assert.Equal("Default", removed.Source);
        Assert.True(removed.Subscribed); // opt_out type back at its default: subscribed
        Assert.Empty(Server.State.GetChoices(Ada));
    }

    [Fact]
    public void WhatIf_sends_nothing()
    {
        Connect();
        Server.ResetLog();

        var result = Run($$"""
            Add-IntercomContactSubscription -ContactId {{Ada}},{{Grace}} -SubscriptionId 108 -Consent opt_in -WhatIf
            Remove-IntercomContactSubscription -ContactId {{Ada}} -SubscriptionId 109 -WhatIf
            [pscustomobject]@{ contact_id = '{{Grace}}' } | Add-IntercomContactSubscription -SubscriptionId 110 -Consent opt_in -WhatIf
            """);

        Assert.Empty(result.Errors);
        Assert.Empty(result.Output);
        Assert.Empty(Server.Requests);
        Assert.Equal("opt_out", Server.State.GetChoices(Ada)["109"]);
        Assert.Empty(Server.State.GetChoices(Grace));
    }

    [Fact]
    public void A_bad_row_among_good_ones_gives_one_error_naming_that_row_and_the_rest_go_through()
    {
        Connect();

        var result = Run($$"""
            @(
                [pscustomobject]@{ contact_id = '{{Ada}}' }
                [pscustomobject]@{ contact_id = 'nobody-here' }
                [pscustomobject]@{ contact_id = '{{Grace}}' }
            ) | Add-IntercomContactSubscription -SubscriptionId 110 -Consent opt_in
            """);

        Assert.Equal(new[] { Ada, Grace }, result.Objects("IntercomSubscriptions.ContactSubscription").Select(o => (string)o.ContactId));
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.StartsWith("IntercomContactNotFound,", error.FullyQualifiedErrorId);
        Assert.Equal("nobody-here", ((PSObject)error.TargetObject).Properties["contact_id"].Value);
        Assert.Contains("nobody-here", error.ErrorDetails.Message);
        Assert.Contains("User Not Found", error.ErrorDetails.Message);
        Assert.Matches("request_id [0-9a-f-]{36}", error.ErrorDetails.Message);
        Assert.Equal("opt_in", Server.State.GetChoices(Ada)["110"]);
        Assert.Equal("opt_in", Server.State.GetChoices(Grace)["110"]);
    }

    [Fact]
    public void An_unknown_subscription_type_is_ObjectNotFound()
    {
        Connect();
        var result = Run($"Add-IntercomContactSubscription -ContactId {Ada} -SubscriptionId 999 -Consent opt_in");
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomSubscriptionTypeNotFound,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("Resource Not Found", error.ErrorDetails.Message);
    }

    [Theory]
    [InlineData("''")]
    [InlineData("'   '")]
    [InlineData("'a/b'")]
    [InlineData("'../subscription_types'")]
    [InlineData("'a?b=1'")]
    [InlineData("'a#b'")]
    public void Ids_that_cannot_be_Intercom_ids_are_refused_before_any_request(string id)
    {
        Connect();
        Server.ResetLog();
        var result = Run($"Add-IntercomContactSubscription -ContactId {id} -SubscriptionId 108 -Consent opt_in");
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void A_bad_id_in_a_CSV_row_fails_that_row_only()
    {
        Connect();
        Server.ResetLog();
        var result = Run($$"""
            @(
                [pscustomobject]@{ contact_id = 'a/b' }
                [pscustomobject]@{ contact_id = '{{Grace}}' }
            ) | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in
            """);
        var error = Assert.Single(result.Errors);
        Assert.Contains("a/b", error.ToString());
        Assert.Equal(Grace, Assert.Single(result.Objects("IntercomSubscriptions.ContactSubscription")).ContactId);
        Assert.Single(Server.Requests);
    }

    [Fact]
    public void Ids_are_escaped_in_the_path()
    {
        Server.State.AddContact("id with space+plus");
        Connect();
        var result = Run("Add-IntercomContactSubscription -ContactId 'id with space+plus' -SubscriptionId 108 -Consent opt_in");
        Assert.Empty(result.Errors);
        Assert.Equal("/contacts/id%20with%20space%2Bplus/subscriptions", ApiRequests("POST").Single().RawPath);
    }

    [Fact]
    public void Consent_is_validated_before_any_request()
    {
        Connect();
        Server.ResetLog();
        var result = Run($"Add-IntercomContactSubscription -ContactId {Ada} -SubscriptionId 108 -Consent maybe");
        var error = Assert.Single(result.Errors);
        Assert.Contains("maybe", error.ToString());
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void Every_field_of_a_CSV_row_binds_by_property_name()
    {
        Connect();
        var result = Run($$"""
            @(
                [pscustomobject]@{ contact_id = '{{Ada}}'; subscription_id = '108'; consent_type = 'opt_in' }
                [pscustomobject]@{ ContactId = '{{Grace}}'; SubscriptionId = '109'; Consent = 'opt_out' }
            ) | Add-IntercomContactSubscription
            """);
        Assert.Empty(result.Errors);
        Assert.Equal("opt_in", Server.State.GetChoices(Ada)["108"]);
        Assert.Equal("opt_out", Server.State.GetChoices(Grace)["109"]);
    }
}
