using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.UnitTests;

public sealed class ContactColumnsTests
{
    private readonly List<ErrorRecord> _errors = new();

    private static PSObject Row(params (string Name, object Value)[] columns)
    {
        var row = new PSObject();
        foreach (var (name, value) in columns) row.Properties.Add(new PSNoteProperty(name, value));
        return row;
    }

    [Fact]
    public void An_intercom_id_is_the_target_and_the_external_id_and_email_must_name_the_same_contact()
    {
        var columns = new ContactColumns(["63a07ddf05a32042dffac965"], ["ada@example.com"], ["u-1"]);

        var target = Assert.Single(columns.Targets(null, _errors.Add));

        Assert.Null(target.Field);
        Assert.Equal("63a07ddf05a32042dffac965", target.Value);
        Assert.Equal(new[] { new ContactTarget(ContactSearchField.ExternalId, "u-1"), new ContactTarget(ContactSearchField.Email, "ada@example.com") },
            target.MustMatch);
        Assert.Equal("ada@example.com", target.Lookup(ContactSearchField.Email));
        Assert.Equal("u-1", target.Lookup(ContactSearchField.ExternalId));
        Assert.Empty(_errors);
    }

    [Fact]
    public void An_external_id_is_searched_before_an_email_and_the_email_must_agree()
    {
        var target = Assert.Single(new ContactColumns(null, ["ada@example.com"], ["u-1"]).Targets(null, _errors.Add));

        Assert.Equal(ContactSearchField.ExternalId, target.Field);
        Assert.Equal(new[] { new ContactTarget(ContactSearchField.Email, "ada@example.com") }, target.MustMatch);
    }

    [Fact]
    public void Several_values_named_in_two_ways_cannot_be_paired_and_are_refused_naming_both()
    {
        var targets = new ContactColumns(null, ["ada@example.com"], ["u-1", "u-2"]).Targets(null, _errors.Add);

        Assert.Empty(targets);
        var error = Assert.Single(_errors);
        Assert.StartsWith("IntercomContactConflict", error.FullyQualifiedErrorId);
        Assert.Contains("external id", error.ErrorDetails.Message);
        Assert.Contains("email", error.ErrorDetails.Message);
    }

    [Fact]
    public void A_bare_string_that_looks_like_an_email_is_searched_by_email()
    {
        var targets = new ContactColumns(null, null, null).Targets(new PSObject(" ada@example.com "), _errors.Add);

        Assert.Equal(new[] { new ContactTarget(ContactSearchField.Email, "ada@example.com") }, targets);
    }

    [Fact]
    public void An_email_alone_is_searched_by_email()
    {
        var targets = new ContactColumns(null, ["ada@example.com"], null).Targets(null, _errors.Add);

        Assert.Equal(new[] { new ContactTarget(ContactSearchField.Email, "ada@example.com") }, targets);
        Assert.Equal("Contact with email 'ada@example.com'", targets[0].ToString());
    }

    [Fact]
    public void A_bare_string_piped_in_is_a_contact_id()
    {
        var targets = new ContactColumns(null, null, null).Targets(new PSObject("63a07ddf05a32042dffac965"), _errors.Add);

        Assert.Equal(new[] { new ContactTarget(null, "63a07ddf05a32042dffac965") }, targets);
    }

    [Fact]
    public void A_bare_string_that_cannot_be_an_id_is_the_records_error()
    {
        var targets = new ContactColumns(null, null, null).Targets(new PSObject("../admins"), _errors.Add);

        Assert.Empty(targets);
        var error = Assert.Single(_errors);
        Assert.Equal("IntercomInvalidArgument", error.FullyQualifiedErrorId);
        Assert.Equal("../admins", error.TargetObject);
    }

    [Fact]
    public void A_row_naming_no_contact_gets_an_error_listing_the_accepted_columns_and_its_own()
    {
        var row = Row(("name", "Ada"), ("subscription_id", "108"));

        var targets = new ContactColumns(null, null, null).Targets(row, _errors.Add);

        Assert.Empty(targets);
        var error = Assert.Single(_errors);
        Assert.Equal("IntercomContactColumnMissing", error.FullyQualifiedErrorId);
        Assert.Same(row, error.TargetObject);
        Assert.Contains(ContactColumns.Accepted, error.ErrorDetails.Message);
        Assert.Contains("The input record has: name, subscription_id.", error.ErrorDetails.Message);
    }

    [Fact]
    public void A_bad_lookup_value_is_refused_alone_and_the_good_ones_kept()
    {
        var targets = new ContactColumns(null, ["ada@example.com", "", "grace@example.com"], null).Targets(null, _errors.Add);

        Assert.Equal(["ada@example.com", "grace@example.com"], targets.Select(t => t.Value));
        var error = Assert.Single(_errors);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
    }

    [Fact]
    public void Count_is_the_given_array_length_of_the_winning_column()
    {
        Assert.Equal(2, new ContactColumns(["a", "b"], ["x"], null).Count);
        Assert.Equal(3, new ContactColumns(null, ["x"], ["1", "2", "3"]).Count);
        Assert.Null(new ContactColumns(null, null, null).Count);
    }
}
