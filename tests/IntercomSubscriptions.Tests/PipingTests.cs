using System.Management.Automation;

namespace IntercomSubscriptions.Tests;

/// <summary>Objects pipe where a user expects: each cmdlet's output binds into the next by property name, end to end.</summary>
public sealed class PipingTests : IntercomTestBase
{
    private const string Subscription = "IntercomSubscriptions.ContactSubscription";
    private const string Type = "IntercomSubscriptions.SubscriptionType";

    [Fact]
    public void A_subscription_type_pipes_into_Add_as_its_subscription_id()
    {
        Connect();
        var result = Run($"Get-IntercomSubscriptionType -Id 110 | Add-IntercomContactSubscription -ContactId {Grace}");

        Assert.Empty(result.Errors);
        Assert.Equal(SmsOffers, Assert.Single(result.Objects(Subscription)).SubscriptionId);
        Assert.Equal("opt_in", Server.State.GetChoices(Grace)[SmsOffers]);
    }

    [Fact]
    public void A_contacts_CSV_id_column_does_not_bind_as_a_subscription_type()
    {
        Connect();
        Server.ResetLog();
        var result = Run($"[pscustomobject]@{{ id = '110'; contact_id = '{Grace}' }} | Add-IntercomContactSubscription");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomSubscriptionColumnMissing" + ",", error.FullyQualifiedErrorId);
        Assert.Empty(Server.State.GetChoices(Grace));
        Assert.DoesNotContain(Server.Requests, r => r.Method == "POST");
    }

    [Fact]
    public void Piped_ids_select_those_types_and_input_that_names_nothing_selects_nothing()
    {
        Connect();
        var piped = Run("'108', '109' | Get-IntercomSubscriptionType");
        var nothingBinds = Run("[pscustomobject]@{ colour = 'blue' } | Get-IntercomSubscriptionType");
        var empty = Run("@() | Get-IntercomSubscriptionType");
        var byName = Run("'SMS*' | Get-IntercomSubscriptionType");

        Assert.Empty(piped.Errors.Concat(nothingBinds.Errors).Concat(empty.Errors).Concat(byName.Errors));
        Assert.Equal(new[] { Newsletters, ProductUpdates }, piped.Objects(Type).Select(t => (string)t.Id));
        Assert.Empty(nothingBinds.Output);
        Assert.Empty(empty.Output);
        Assert.Equal(SmsOffers, Assert.Single(byName.Objects(Type)).Id);
    }

    [Fact]
    public void A_positional_argument_is_an_id_when_numeric_and_a_name_pattern_otherwise()
    {
        Connect();
        var byId = Run("Get-IntercomSubscriptionType 110");
        var byName = Run("Get-IntercomSubscriptionType 'news*'");

        Assert.Empty(byId.Errors.Concat(byName.Errors));
        Assert.Equal(SmsOffers, Assert.Single(byId.Objects(Type)).Id);
        Assert.Equal(Newsletters, Assert.Single(byName.Objects(Type)).Id);
    }

    [Fact]
    public void A_backup_with_defaults_piped_into_Add_or_Remove_never_turns_a_default_into_a_choice()
    {
        Connect();
        // Ada: an explicit opt-out of Product updates; Newsletters (opt_in) and SMS offers (opt_in) at their defaults.
        var result = Run($"""
            $backup = Get-IntercomContactSubscription -ContactId {Ada} -IncludeDefault
            $backup | Add-IntercomContactSubscription -Verbose
            $backup | Remove-IntercomContactSubscription -Confirm:$false -Verbose
            """);

        Assert.Empty(result.Errors);
        // Only the explicit record went through: added (again), then removed; no default became a choice.
        Assert.Equal(ProductUpdates, Assert.Single(result.Objects(Subscription)).SubscriptionId);
        Assert.Empty(Server.State.GetChoices(Ada));
        Assert.Equal(2 * 2, result.Verbose.Count(v => v.Contains("Source is Default")));
        Assert.Equal(1, Server.Requests.Count(r => r.Method == "POST" && r.RawPath.StartsWith($"/contacts/{Ada}/subscriptions", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_copy_to_another_contact_takes_the_contact_from_the_command_line_and_only_the_explicit_choices()
    {
        Connect();
        var result = Run($"Get-IntercomContactSubscription -Email {AdaEmail} -IncludeDefault | Add-IntercomContactSubscription -ContactId {Grace}");

        Assert.Empty(result.Errors);
        var copied = Assert.Single(result.Objects(Subscription));
        Assert.Equal((Grace, ProductUpdates), ((string)copied.ContactId, (string)copied.SubscriptionId));
        Assert.Equal(new Dictionary<string, string> { [ProductUpdates] = "opt_out" }, Server.State.GetChoices(Grace));
    }

    [Fact]
    public void Output_carries_the_email_or_external_id_the_row_was_looked_up_by()
    {
        Connect();
        var result = Run($$"""
            @(
                [pscustomobject]@{ email = '{{AdaEmail}}' }
                [pscustomobject]@{ external_id = '{{GraceExternalId}}' }
                [pscustomobject]@{ contact_id = '{{Grace}}' }
            ) | Add-IntercomContactSubscription -SubscriptionId 110
            [pscustomobject]@{ external_id = '{{GraceExternalId}}' } | Remove-IntercomContactSubscription -SubscriptionId 110 -PassThru -Confirm:$false
            """);

        Assert.Empty(result.Errors);
        var rows = result.Objects(Subscription).ToList();
        Assert.Equal(4, rows.Count);
        Assert.Equal((AdaEmail, (string?)null), ((string)rows[0].Email, (string?)rows[0].ExternalId));
        Assert.Equal(((string?)null, GraceExternalId), ((string?)rows[1].Email, (string)rows[1].ExternalId));
        Assert.Null(rows[2].Email);
        Assert.Null(rows[2].ExternalId);
        Assert.Equal(GraceExternalId, rows[3].ExternalId);
        Assert.Equal("Default", rows[3].Source);
    }

    [Fact]
    public void An_error_targets_the_input_record_or_else_the_value_given()
    {
        Connect();
        var result = Run($$"""
            Add-IntercomContactSubscription -ContactId {{Ada}} -SubscriptionId 108 -Consent opt_out
            [pscustomobject]@{ contact_id = '{{Grace}}'; subscription_id = '109'; consent_type = 'opt_in' } | Add-IntercomContactSubscription
            Add-IntercomContactSubscription -Email nobody@example.com -SubscriptionId 108
            """);

        Assert.Equal(3, result.Errors.Count);
        Assert.StartsWith("IntercomConsentMismatch" + ",", result.Errors[0].FullyQualifiedErrorId);
        Assert.Equal(Ada, result.Errors[0].TargetObject);
        Assert.StartsWith("IntercomConsentMismatch" + ",", result.Errors[1].FullyQualifiedErrorId);
        Assert.Equal(Grace, ((PSObject)result.Errors[1].TargetObject).Properties["contact_id"].Value);
        Assert.StartsWith("IntercomContactNotFound" + ",", result.Errors[2].FullyQualifiedErrorId);
        Assert.Equal("nobody@example.com", result.Errors[2].TargetObject);
    }

    [Fact]
    public void Adding_to_an_archived_or_draft_type_warns_once_per_type()
    {
        Connect();
        Server.State.AddSubscriptionType("112", "Beta news", "opt_in", "draft");
        var result = Run($"""
            Add-IntercomContactSubscription -ContactId {Ada},{Grace} -SubscriptionId 111
            Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionName 'Beta news'
            Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId 108
            """);

        Assert.Empty(result.Errors);
        Assert.Equal(2, result.Warnings.Count);
        Assert.Contains("archived", result.Warnings[0]);
        Assert.Contains("draft", result.Warnings[1]);
        Assert.Equal("opt_out", Server.State.GetChoices(Grace)[OldDigest]);
    }
}
