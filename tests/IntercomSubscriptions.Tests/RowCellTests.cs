using System.Management.Automation;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// Issue 11, "Cells and columns": rows as real CSVs have them (empty cells, stray spaces, headers
/// spelled by Mailchimp or Excel, hashtables, plain strings) do what their cells say, end to end.
/// </summary>
public sealed class RowCellTests : IntercomTestBase
{
    private const string Subscription = "IntercomSubscriptions.ContactSubscription";

    [Fact]
    public void Empty_and_white_space_cells_are_absent_values_not_bad_ones()
    {
        Connect();
        var result = Run($$"""
            @(
                [pscustomobject]@{ contact_id = ''; email = '{{GraceEmail}}'; subscription_id = '110'; subscription_name = ''; consent_type = '' }
                [pscustomobject]@{ contact_id = '{{Ada}}'; email = '  '; subscription_id = ''; subscription_name = 'SMS offers'; consent_type = ' ' }
            ) | Add-IntercomContactSubscription
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
            @(
                [pscustomobject]@{ contact_id = '{{Ada}} '; subscription_id = ' 110' }
                [pscustomobject]@{ email = ' {{GraceEmail}} '; subscription_id = '110 '; consent_type = ' OPT_IN ' }
            ) | Add-IntercomContactSubscription
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
        var result = Run($$"""
            @(
                [pscustomobject]@{ 'Email Address' = '{{AdaEmail}}'; 'Subscription ID' = '110' }
                [pscustomobject]@{ 'E-mail' = '{{GraceEmail}}'; 'SUBSCRIPTION-ID' = '108'; 'Consent Type' = 'opt_in' }
                [pscustomobject]@{ "$([char]0xFEFF)contact_id" = '{{SharedEmailUser}}'; subscription_id = '110' }
                [pscustomobject]@{ 'Contact ID' = '{{SharedEmailLead}}'; 'Subscription Name' = 'SMS offers' }
                [pscustomobject]@{ 'External ID' = '{{GraceExternalId}}'; subscription_id = '110' }
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
}
