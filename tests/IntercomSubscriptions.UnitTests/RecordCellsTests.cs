using System.Collections;
using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.UnitTests;

public sealed class RecordCellsTests
{
    [Theory]
    [InlineData("Email Address", "emailaddress")]
    [InlineData("E-mail", "email")]
    [InlineData("\uFEFFcontact_id", "contactid")]
    [InlineData(" Contact\u200B ID ", "contactid")]
    [InlineData("SUBSCRIPTION-TYPE_ID", "subscriptiontypeid")]
    public void Column_names_lose_case_spaces_dashes_underscores_and_invisible_characters(string header, string normalised) =>
        Assert.Equal(normalised, RecordCells.NormaliseName(header));

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData(" \t ", null)]
    [InlineData("\uFEFF", null)]
    [InlineData(" c14 ", "c14")]
    [InlineData("a b", "a b")]
    public void Cells_are_trimmed_and_empty_ones_are_absent(string? cell, string? value) =>
        Assert.Equal(value, RecordCells.Clean(cell));

    [Fact]
    public void A_hashtable_is_read_by_its_keys_and_non_strings_as_invariant_text()
    {
        var cells = RecordCells.Of(new PSObject(new Hashtable { ["Subscription ID"] = 110, ["E-Mail"] = " ada@example.com " }));

        Assert.Equal("110", cells.Single("subscriptionid"));
        Assert.Equal("ada@example.com", cells.Single("email"));
    }

    [Fact]
    public void Values_bound_by_PowerShell_win_and_the_record_fills_in_what_nothing_bound()
    {
        var row = new PSObject();
        row.Properties.Add(new PSNoteProperty("Email Address", "grace@example.com"));
        row.Properties.Add(new PSNoteProperty("contact_id", ""));
        row.Properties.Add(new PSNoteProperty("Source", SubscriptionSource.Default));

        var nothingOnTheCommandLine = CommandLineInput.Capture(new Dictionary<string, object>(), null, null, null);
        var input = RecordInput.Read(row, nothingOnTheCommandLine, new[] { "" }, null, null, "108", null, " OPT_IN ");

        Assert.Null(input.Contacts.ContactId);
        Assert.Equal(new[] { "grace@example.com" }, input.Contacts.Email);
        Assert.Equal("108", input.SubscriptionId);
        Assert.Equal("opt_in", input.Consent);
        Assert.True(input.IsDefaultSource);
    }

    [Fact]
    public void What_the_command_line_names_wins_over_the_records_columns()
    {
        var row = new PSObject();
        row.Properties.Add(new PSNoteProperty("Email", "ada@example.com"));
        row.Properties.Add(new PSNoteProperty("subscription_name", "Newsletters"));
        var commandLine = CommandLineInput.Capture(new Dictionary<string, object> { ["ContactId"] = "c2", ["SubscriptionId"] = "110" },
            new[] { "c2" }, null, null, "110", null);

        var input = RecordInput.Read(row, commandLine, new[] { "c2" }, new[] { "ada@example.com" }, null, "110", "Newsletters");

        Assert.Equal(new ContactColumns(new[] { "c2" }, null, null).ContactId, input.Contacts.ContactId);
        Assert.Null(input.Contacts.Email);
        Assert.Equal("110", input.SubscriptionId);
        Assert.Null(input.SubscriptionName);
    }

    [Fact]
    public void The_public_failure_kinds_name_every_kind_the_engine_has()
    {
        // IntercomFailureKind mirrors the engine's IntercomErrorKind, which PowerShell cannot see.
        var missing = Enum.GetNames<IntercomErrorKind>().Except(Enum.GetNames<IntercomFailureKind>());
        Assert.Empty(missing);
    }
}
