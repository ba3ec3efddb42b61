using System.Management.Automation;

namespace IntercomSubscriptions.Tests;

/// <summary>Contacts named by email or external id, names for subscription types, the effective state, and -Consent checks.</summary>
public sealed class ContactLookupTests : IntercomTestBase
{

    [Fact]
    public void Rows_with_emails_and_external_ids_resolve_through_the_contact_search()
    {
        Connect();
        var result = Run($$"""
            @(
                [pscustomobject]@{ email = 'ADA@example.com' }
                [pscustomobject]@{ external_id = '{{GraceExternalId}}' }
                [pscustomobject]@{ email = '{{AdaEmail}}' }
            ) | Add-IntercomContactSubscription -SubscriptionId 110 -Consent opt_in
            """);
        Assert.Empty(result.Errors);
        Assert.Equal(new[] { Ada, Grace, Ada }, result.Objects("IntercomSubscriptions.ContactSubscription").Select(o => (string)o.ContactId));
        Assert.Equal("opt_in", Server.State.GetChoices(Ada)["110"]);
        Assert.Equal("opt_in", Server.State.GetChoices(Grace)["110"]);
        // The same email twice is searched once: lookups are cached per connection.
        Assert.Equal(2, Server.Requests.Count(r => r.RawPath == "/contacts/search"));
    }

    [Fact]
    public void An_email_with_no_contact_or_several_is_an_error_for_that_row_only()
    {
        Connect();
        var result = Run($$"""
            @(
                [pscustomobject]@{ email = 'nobody@example.com' }
                [pscustomobject]@{ email = '{{SharedEmail}}' }
                [pscustomobject]@{ user_id = '{{GraceExternalId}}' }
            ) | Add-IntercomContactSubscription -SubscriptionId 110 -Consent opt_in
            """);
        Assert.Equal(2, result.Errors.Count);
        Assert.StartsWith("IntercomContactNotFound,", result.Errors[0].FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, result.Errors[0].CategoryInfo.Category);
        Assert.Contains("nobody@example.com", result.Errors[0].ErrorDetails.Message);
        Assert.StartsWith("IntercomContactAmbiguous,", result.Errors[1].FullyQualifiedErrorId);
        Assert.Contains(SharedEmailUser, result.Errors[1].ErrorDetails.Message);
        Assert.Contains(SharedEmailLead, result.Errors[1].ErrorDetails.Message);
        Assert.Equal(Grace, Assert.Single(result.Objects("IntercomSubscriptions.ContactSubscription")).ContactId);
        Assert.Empty(Server.State.GetChoices(SharedEmailUser));
    }

    [Fact]
    public void A_row_naming_no_contact_says_which_columns_are_accepted_and_sends_nothing()
    {
        Connect();
        Server.ResetLog();
        var result = Run($$"""
            @(
                [pscustomobject]@{ customer = 'x' }
                [pscustomobject]@{ contact_id = '{{Grace}}' }
            ) | Add-IntercomContactSubscription -SubscriptionId 110 -Consent opt_in
            """);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomContactColumnMissing,", error.FullyQualifiedErrorId);
        Assert.Contains("contact_id", error.ErrorDetails.Message);
        Assert.Contains("external_id", error.ErrorDetails.Message);
        Assert.Contains("customer", error.ErrorDetails.Message);
        Assert.Single(Server.Requests);
    }

    [Fact]
    public void Plain_strings_piped_in_are_contact_ids()
    {
        Connect();
        var result = Run($"'{Ada}', '{Grace}' | Get-IntercomContactSubscription");
        Assert.Empty(result.Errors);
        Assert.Equal(Ada, Assert.Single(result.Objects("IntercomSubscriptions.ContactSubscription")).ContactId);
    }

    [Fact]
    public void A_subscription_name_resolves_to_its_type_and_an_unknown_one_lists_the_choices()
    {
        Connect();
        var result = Run($"""
            Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionName 'sms offers'
            Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionName 'Weekly digest' -Consent opt_in
            """);
        Assert.Equal("opt_in", Server.State.GetChoices(Grace)["110"]);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomSubscriptionTypeNotFound,", error.FullyQualifiedErrorId);
        Assert.Contains("Weekly digest", error.ErrorDetails.Message);
        Assert.Contains("108 'Newsletters'", error.ErrorDetails.Message);
        Assert.Single(ApiRequests("POST"));
    }

    [Fact]
    public void A_name_two_types_share_is_ambiguous()
    {
        Server.State.AddSubscriptionType("120", "Newsletters", "opt_in", "draft");
        Connect();
        Server.ResetLog();
        var result = Run($"Remove-IntercomContactSubscription -ContactId {Ada} -SubscriptionName Newsletters -Confirm:$false");
        var error = Assert.Single(result.Errors);
        Assert.Contains("108", error.ErrorDetails.Message);
        Assert.Contains("120", error.ErrorDetails.Message);
        Assert.Empty(ApiRequests("DELETE"));
    }

    [Fact]
    public void Consent_defaults_to_the_types_own_and_a_contradiction_is_explained_without_a_request()
    {
        Connect();
        Server.ResetLog();
        var result = Run($"""
            Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId 109
            Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId 108 -Consent opt_out
            """);
        Assert.Equal("opt_out", Server.State.GetChoices(Grace)["109"]);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomConsentMismatch,", error.FullyQualifiedErrorId);
        Assert.Contains("opt_in", error.ErrorDetails.Message);
        Assert.Contains("Remove-IntercomContactSubscription", error.ErrorDetails.Message);
        Assert.Single(ApiRequests("POST"));
    }

    [Fact]
    public void IncludeDefault_lists_every_live_type_with_its_effective_state()
    {
        Connect();
        var result = Run($"Get-IntercomContactSubscription -ContactId {Ada} -IncludeDefault");
        Assert.Empty(result.Errors);
        var rows = result.Objects("IntercomSubscriptions.ContactSubscription").ToDictionary(o => (string)o.SubscriptionId);
        Assert.Equal(["108", "109", "110"], rows.Keys.OrderBy(k => k));
        Assert.Equal("Explicit", rows["109"].Source);
        Assert.False(rows["109"].Subscribed);   // opted out of an opt_out type
        Assert.Equal("Default", rows["108"].Source);
        Assert.False(rows["108"].Subscribed);   // opt_in type, no choice: not subscribed
        Assert.Equal("Default", rows["110"].Source);
    }

    [Fact]
    public void Subscription_ids_and_names_complete_from_the_cache_with_names_as_tooltips()
    {
        Connect();
        Server.ResetLog();
        var result = Run("""
            $line = 'Add-IntercomContactSubscription -ContactId x -SubscriptionId 10'
            $ids = [System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches
            $line = 'Add-IntercomContactSubscription -ContactId x -SubscriptionName Prod'
            $names = [System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches
            $line = 'Connect-Intercom -Region '
            $regions = [System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches
            $line = 'Connect-Intercom -ApiVersion 2.1'
            $versions = [System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches
            [pscustomobject]@{ Ids = @($ids.CompletionText); Tips = @($ids.ToolTip); Names = @($names.CompletionText); Regions = @($regions.CompletionText); Versions = @($versions.CompletionText) }
            """);
        Assert.Empty(result.Errors);
        dynamic completions = new PSView(result.Output.Single());
        Assert.Equal(new object[] { "108", "109" }, (object[])completions.Ids);
        Assert.Contains((object[])completions.Tips, t => ((string)t).StartsWith("Newsletters", StringComparison.Ordinal));
        Assert.Equal(new object[] { "'Product updates'" }, (object[])completions.Names);
        Assert.Equal(["AU", "EU", "US"], ((object[])completions.Regions).Cast<string>().OrderBy(r => r));
        Assert.Contains("2.14", (object[])completions.Versions);
        Assert.Empty(Server.Requests); // completion never calls Intercom
    }
}
