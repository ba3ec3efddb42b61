using System.Management.Automation;

namespace IntercomSubscriptions.Tests;

/// <summary>Input that cannot be right fails before any HTTP call, with an error that names the value.</summary>
public sealed class BadInputTests : IntercomTestBase
{

    private ScriptResult RunWithId(string script, string id)
    {
        Connect();
        Server.ResetLog();
        return Run(script, new() { ["id"] = id });
    }

    public static TheoryData<string, string> BadContactIds => new()
    {
        { "abc\u0000def", "U+0000" },
        { "abc\ndef", "U+000A" },
        { "abc\u001b[31mdef", "U+001B" },
        { "abc\u007fdef", "U+007F" },
        { new string('a', 129), "129 characters" },
        { new string('b', 10_000), "10000 characters" },
        { "ab\ud800cd", "U+D800" },   // a lone surrogate cannot be put in a URL
        { Ada + "\u0007x", "U+0007" },   // (leading and trailing white space is trimmed: RowCellTests)
        { "a\\b", "'\\'" },
        { "%2e%2e", "'%'" },
    };

    [Theory]
    [MemberData(nameof(BadContactIds), DisableDiscoveryEnumeration = true)] // serialising the cases would turn the lone surrogate into U+FFFD
    public void A_bad_contact_id_is_refused_naming_the_value(string id, string says)
    {
        foreach (var script in new[]
                 {
                     "Add-IntercomContactSubscription -ContactId $id -SubscriptionId 108 -Consent opt_in",
                     "Remove-IntercomContactSubscription -ContactId $id -SubscriptionId 108 -Confirm:$false",
                     "Get-IntercomContactSubscription -ContactId $id",
                     "[pscustomobject]@{ contact_id = $id } | Get-IntercomContactSubscription",
                 })
        {
            var result = RunWithId(script, id);
            var error = Assert.Single(result.Errors);
            // Typed on the command line, the command ends as the binder's validation would; a piped record's is that record's error.
            var piped = script.StartsWith('[');
            Assert.Equal(piped ? ErrorCategory.InvalidArgument : ErrorCategory.InvalidData, error.CategoryInfo.Category);
            Assert.Equal("IntercomInvalidArgument", error.FullyQualifiedErrorId.Split(',')[0]);
            var message = error.ToString();
            Assert.Contains("contact id", message);
            Assert.Contains(says, message);
            var shown = Printable(id);
            Assert.Contains(shown[..Math.Min(10, shown.Length)].Trim(), message);
            Assert.DoesNotContain('\u001b', message); // a control character is shown escaped, never raw
            Assert.True(message.Length < 600, $"the message is {message.Length} characters long");
            Assert.Empty(Server.Requests);
        }
    }

    [Theory]
    [InlineData("Newsletters")]
    [InlineData("108.0")]
    [InlineData("-108")]
    [InlineData("0x6C")]
    [InlineData("1 08")]
    [InlineData("１０８")] // full-width digits
    public void A_subscription_type_id_that_is_not_a_number_is_refused_naming_the_value(string id)
    {
        foreach (var script in new[]
                 {
                     $"Add-IntercomContactSubscription -ContactId {Ada} -SubscriptionId $id -Consent opt_in",
                     $"Remove-IntercomContactSubscription -ContactId {Ada} -SubscriptionId $id -Confirm:$false",
                 })
        {
            var result = RunWithId(script, id);
            var error = Assert.Single(result.Errors);
            Assert.Contains(error.CategoryInfo.Category, new[] { ErrorCategory.InvalidData, ErrorCategory.InvalidArgument });
            Assert.Contains($"'{id}'", error.ToString());
            Assert.Contains("subscription type id", error.ToString());
            Assert.Empty(Server.Requests);
        }
    }

    [Fact]
    public void A_non_numeric_subscription_id_in_one_row_fails_that_row_only()
    {
        Connect();
        Server.ResetLog();
        var result = Run($$"""
            @(
                [pscustomobject]@{ contact_id = '{{Ada}}'; subscription_id = 'Newsletters'; consent_type = 'opt_in' }
                [pscustomobject]@{ contact_id = '{{Grace}}'; subscription_id = '110'; consent_type = 'opt_in' }
            ) | Add-IntercomContactSubscription
            """);
        var error = Assert.Single(result.Errors);
        Assert.Contains("'Newsletters'", error.ToString());
        Assert.Equal(Grace, Assert.Single(result.Objects("IntercomSubscriptions.ContactSubscription")).ContactId);
        Assert.Single(Server.Requests);
    }

    [Theory]
    [InlineData("maybe")]
    [InlineData("OPT-IN")]
    [InlineData("double_opt_in")]
    [InlineData("")]
    public void An_unknown_consent_is_refused_naming_the_value_and_the_choices(string consent)
    {
        var result = RunWithId($"Add-IntercomContactSubscription -ContactId {Ada} -SubscriptionId 108 -Consent $id", consent);
        var error = Assert.Single(result.Errors);
        var message = error.ToString();
        if (consent.Length > 0) Assert.Contains(consent, message);
        Assert.Contains("Consent", message);
        if (consent.Length > 0) Assert.Contains("opt_in", message);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void Consent_is_case_insensitive_as_PowerShell_users_expect_and_sent_in_Intercoms_spelling()
    {
        Connect();
        var result = Run($"Add-IntercomContactSubscription -ContactId {Ada} -SubscriptionId 108 -Consent OPT_IN");
        Assert.Empty(result.Errors);
        Assert.Contains("\"consent_type\":\"opt_in\"", ApiRequests("POST").Single().Body);
    }

    [Fact]
    public void A_row_without_a_contact_column_gets_an_error_naming_the_columns_and_their_aliases()
    {
        Connect();
        Server.ResetLog();
        var result = Run($$"""
            @(
                [pscustomobject]@{ mail = 'x@example.com' }
                [pscustomobject]@{ contact_id = '{{Grace}}' }
            ) | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in
            """);
        var error = Assert.Single(result.Errors);
        var message = error.ToString();
        Assert.Contains("ContactId", message);
        Assert.Contains("contact_id", message);
        Assert.Contains("intercom_id", message);
        Assert.Contains("external_id", message);
        Assert.Contains("mail", message); // what the row did have
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Single(result.Objects("IntercomSubscriptions.ContactSubscription"));
        Assert.Single(Server.Requests);
    }

    private static string Printable(string value) =>
        string.Concat(value.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
