using System.Management.Automation;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// Rows as real CSVs have them (empty cells, stray spaces, headers spelled by Mailchimp or Excel,
/// hashtables, plain strings) do what their cells say, end to end.
/// CSV rows come from the real ConvertFrom-Csv (the parser Import-Csv uses) reading CSV text.
/// </summary>
public sealed class RowCellTests : IntercomTestBase
{
    private const string Subscription = "IntercomSubscriptions.ContactSubscription";

    [Fact]
    public void Empty_and_white_space_cells_are_absent_values_not_bad_ones()
    {
        Connect();
        var result = Run($$"""
            @'
            contact_id,email,subscription_id,subscription_name,consent_type
            ,{{GraceEmail}},110,,
            {{Ada}},"  ",,SMS offers," "
            '@ | ConvertFrom-Csv | Add-IntercomContactSubscription
            """);

        Assert.Empty(result.Errors);
        Assert.Equal(new[] { Grace, Ada }, result.Objects(Subscription).Select(o => (string)o.ContactId));
        // consent_type '' is the type's own consent (SMS offers is opt_in).
        Assert.Equal("opt_in", Server.State.GetChoices(Grace)[SmsOffers]);
        Assert.Equal("opt_in", Server.State.GetChoices(Ada)[SmsOffers]);
    }

    [Fact]
    public void Values_are_trimmed_before_use()
    {
        Connect();
        Server.ResetLog();
        var result = Run($$"""
            @'
            contact_id,email,subscription_id,consent_type
            "{{Ada}} ",," 110",
            ," {{GraceEmail}} ","110 "," OPT_IN "
            '@ | ConvertFrom-Csv | Add-IntercomContactSubscription
            """);

        Assert.Empty(result.Errors);
        Assert.Equal("opt_in", Server.State.GetChoices(Ada)[SmsOffers]);
        Assert.Equal("opt_in", Server.State.GetChoices(Grace)[SmsOffers]);
        var search = Assert.Single(Server.Requests, r => r.RawPath == "/contacts/search");
        Assert.Contains($"\"{GraceEmail}\"", search.Body);
        Assert.Contains(Server.Requests, r => r.RawPath == $"/contacts/{Ada}/subscriptions");
    }

    [Fact]
    public void Column_names_match_whatever_their_case_spaces_dashes_underscores_or_invisible_characters()
    {
        Connect();
        // Four files, four spellings. Import-Csv and ConvertFrom-Csv take Excel's byte-order mark
        // off the first header; a row built from text read some other way can keep it, as the third does.
        var result = Run($$"""
            @(
                "Email Address,Subscription ID`n{{AdaEmail}},110" | ConvertFrom-Csv
                "E-mail,SUBSCRIPTION-ID,Consent Type`n{{GraceEmail}},108,opt_in" | ConvertFrom-Csv
                [pscustomobject]@{ "$([char]0xFEFF)contact_id" = '{{SharedEmailUser}}'; subscription_id = '110' }
                "Contact ID,Subscription Name`n{{SharedEmailLead}},SMS offers" | ConvertFrom-Csv
                "External ID,subscription_id`n{{GraceExternalId}},110" | ConvertFrom-Csv
            ) | Add-IntercomContactSubscription
            """);

        Assert.Empty(result.Errors);
        Assert.Equal(5, result.Objects(Subscription).Count());
        Assert.Equal("opt_in", Server.State.GetChoices(Ada)[SmsOffers]);
        Assert.Equal("opt_in", Server.State.GetChoices(Grace)[Newsletters]);
        Assert.Equal("opt_in", Server.State.GetChoices(Grace)[SmsOffers]);
        Assert.Equal("opt_in", Server.State.GetChoices(SharedEmailUser)[SmsOffers]);
        Assert.Equal("opt_in", Server.State.GetChoices(SharedEmailLead)[SmsOffers]);
    }

    [Fact]
    public void A_header_with_an_invisible_character_that_names_nothing_is_shown_escaped_in_the_error()
    {
        Connect();
        var result = Run("""
            [pscustomobject]@{ "$([char]0xFEFF)customer" = 'x' } | Add-IntercomContactSubscription -SubscriptionId 110
            """);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomContactColumnMissing" + ",", error.FullyQualifiedErrorId);
        Assert.Contains("\\uFEFFcustomer", error.ErrorDetails.Message);
    }

    [Fact]
    public void A_hashtable_row_works_like_a_pscustomobject_row()
    {
        Connect();
        var result = Run($$"""
            @{ contact_id = '{{Ada}}'; subscription_id = 110 } | Add-IntercomContactSubscription
            @{ Email = '{{GraceEmail}}' } | Add-IntercomContactSubscription -SubscriptionId 110
            @{ contact_id = '{{Grace}}' } | Get-IntercomContactSubscription
            """);

        Assert.Empty(result.Errors);
        Assert.Equal("opt_in", Server.State.GetChoices(Ada)[SmsOffers]);
        Assert.Equal("opt_in", Server.State.GetChoices(Grace)[SmsOffers]);
        var listed = result.Objects(Subscription).Skip(2).ToList();
        Assert.Equal(new[] { SmsOffers }, listed.Select(o => (string)o.SubscriptionId));
    }

    [Fact]
    public void A_plain_string_piped_in_is_an_email_when_it_looks_like_one_and_a_contact_id_otherwise()
    {
        Connect();
        Server.State.SetChoice(Grace, Newsletters, "opt_in");
        var result = Run($"'{GraceEmail}', '{Ada}', ' {AdaEmail} ' | Get-IntercomContactSubscription");

        Assert.Empty(result.Errors);
        var listed = result.Objects(Subscription).ToList();
        Assert.Equal(new[] { Grace, Ada, Ada }, listed.Select(o => (string)o.ContactId));
        Assert.Equal(GraceEmail, listed[0].Email);
        Assert.Null(listed[1].Email);
        Assert.Equal(AdaEmail, listed[2].Email);
    }

    [Fact]
    public void A_row_naming_the_subscription_type_twice_in_different_ways_is_refused_naming_both()
    {
        Connect();
        Server.ResetLog();
        var result = Run($$"""
            Add-IntercomContactSubscription -ContactId {{Ada}} -SubscriptionId 108 -SubscriptionName 'SMS offers'
            [pscustomobject]@{ contact_id = '{{Grace}}'; subscription_id = '110'; subscription_name = 'SMS offers' } | Add-IntercomContactSubscription
            """);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomSubscriptionTypeConflict" + ",", error.FullyQualifiedErrorId);
        Assert.Contains("108", error.ErrorDetails.Message);
        Assert.Contains("SMS offers", error.ErrorDetails.Message);
        Assert.Contains("110", error.ErrorDetails.Message);
        Assert.False(Server.State.GetChoices(Ada).ContainsKey(Newsletters));
        Assert.False(Server.State.GetChoices(Ada).ContainsKey(SmsOffers));
        // The agreeing row (id and name of the same type) goes through.
        Assert.Equal("opt_in", Server.State.GetChoices(Grace)[SmsOffers]);
    }

    [Fact]
    public void A_row_naming_a_contact_by_id_and_by_a_different_email_is_refused_naming_both()
    {
        Connect();
        var result = Run($$"""
            @(
                [pscustomobject]@{ contact_id = '{{Ada}}'; email = '{{GraceEmail}}' }
                [pscustomobject]@{ contact_id = '{{Grace}}'; email = '{{GraceEmail}}' }
            ) | Add-IntercomContactSubscription -SubscriptionId 110
            """);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomContactConflict" + ",", error.FullyQualifiedErrorId);
        Assert.Contains(Ada, error.ErrorDetails.Message);
        Assert.Contains(GraceEmail, error.ErrorDetails.Message);
        Assert.IsType<PSObject>(error.TargetObject);
        Assert.False(Server.State.GetChoices(Ada).ContainsKey(SmsOffers));
        // A row whose id and email agree is changed, and says what it was looked up by.
        var added = Assert.Single(result.Objects(Subscription));
        Assert.Equal(Grace, added.ContactId);
        Assert.Equal(GraceEmail, added.Email);
        Assert.Equal("opt_in", Server.State.GetChoices(Grace)[SmsOffers]);
    }

    [Fact]
    public void An_empty_value_typed_on_the_command_line_is_still_refused_before_any_request()
    {
        Connect();
        Server.ResetLog();
        var result = Run($"Remove-IntercomContactSubscription -ContactId {Ada} -SubscriptionName '  ' -Confirm:$false");

        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Contains("-SubscriptionName is empty", error.ToString());
        Assert.Empty(Server.Requests);
    }

    [Theory]
    [InlineData("contact_id", Ada)]
    [InlineData("ContactId", Ada)]
    [InlineData("Contact ID", Ada)]
    [InlineData("CONTACT-ID", Ada)]
    [InlineData("intercom_id", Ada)]
    [InlineData("Intercom Contact ID", Ada)]
    [InlineData("email", AdaEmail)]
    [InlineData("Email Address", AdaEmail)]
    [InlineData("email_address", AdaEmail)]
    [InlineData("E-mail", AdaEmail)]
    [InlineData("E-mail Address", AdaEmail)]
    [InlineData("external_id", GraceExternalId)]
    [InlineData("External ID", GraceExternalId)]
    [InlineData("user_id", GraceExternalId)]
    public void Every_contact_column_spelling_the_README_promises_names_the_contact(string header, string value)
    {
        Connect();
        Server.State.SetChoice(Ada, Newsletters, "opt_in");
        Server.State.SetChoice(Grace, Newsletters, "opt_in");

        var result = Run("[pscustomobject]@{ $header = $value } | Get-IntercomContactSubscription", new() { ["header"] = header, ["value"] = value });

        Assert.Empty(result.Errors);
        var expected = value == GraceExternalId ? Grace : Ada;
        Assert.Contains(result.Objects(Subscription), o => (string)o.ContactId == expected);
    }

    [Theory]
    [InlineData("subscription_id", "110")]
    [InlineData("Subscription ID", "110")]
    [InlineData("subscription_type_id", "110")]
    [InlineData("SubscriptionTypeId", "110")]
    [InlineData("subscription_name", "SMS offers")]
    [InlineData("Subscription Name", "SMS offers")]
    public void Every_subscription_column_spelling_the_README_promises_names_the_type(string header, string value)
    {
        Connect();

        var result = Run($"[pscustomobject]@{{ contact_id = '{Ada}'; $header = $value }} | Add-IntercomContactSubscription", new() { ["header"] = header, ["value"] = value });

        Assert.Empty(result.Errors);
        Assert.Equal("opt_in", Server.State.GetChoices(Ada)[SmsOffers]);
    }

    [Theory]
    [InlineData("consent_type")]
    [InlineData("Consent Type")]
    [InlineData("consent")]
    [InlineData("ConsentType")]
    public void Every_consent_column_spelling_the_README_promises_gives_the_consent(string header)
    {
        Connect();

        // SMS offers is opt_in: an opt_out read from the column is refused, which shows it was read.
        var result = Run($"[pscustomobject]@{{ contact_id = '{Ada}'; subscription_id = '110'; $header = 'opt_out' }} | Add-IntercomContactSubscription",
            new() { ["header"] = header });

        Assert.StartsWith("IntercomConsentMismatch,", Assert.Single(result.Errors).FullyQualifiedErrorId);
        Assert.False(Server.State.GetChoices(Ada).ContainsKey(SmsOffers));
    }

    [Fact]
    public void A_second_spelling_of_a_column_is_used_when_the_one_PowerShell_bound_is_empty()
    {
        Connect();

        // PowerShell binds the parameter's own name first, even from an empty cell.
        var result = Run($"[pscustomobject]@{{ ContactId = ''; contact_id = '{Grace}'; 'Subscription ID' = ' '; subscription_type_id = '110' }} | Add-IntercomContactSubscription");

        Assert.Empty(result.Errors);
        Assert.Equal("opt_in", Server.State.GetChoices(Grace)[SmsOffers]);
    }

    [Fact]
    public void Two_spellings_of_one_column_that_disagree_fail_that_row_naming_both_and_send_nothing_for_it()
    {
        Connect();
        Server.ResetLog();

        var result = Run($$"""
            @(
                [pscustomobject]@{ contact_id = '{{Ada}}'; 'Contact ID' = '{{Grace}}'; subscription_id = '110' }
                [pscustomobject]@{ contact_id = '{{Grace}}'; 'Contact ID' = ' {{Grace}} '; subscription_id = '110' }
            ) | Add-IntercomContactSubscription
            """);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomContactConflict,", error.FullyQualifiedErrorId);
        Assert.Contains($"'contact_id' ('{Ada}')", error.ErrorDetails.Message);
        Assert.Contains($"'Contact ID' ('{Grace}')", error.ErrorDetails.Message);
        Assert.IsType<PSObject>(error.TargetObject);
        Assert.False(Server.State.GetChoices(Ada).ContainsKey(SmsOffers));
        Assert.Equal("opt_in", Server.State.GetChoices(Grace)[SmsOffers]);
    }
}
