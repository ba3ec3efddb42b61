using System.Collections;
using System.Management.Automation;
using IntercomSubscriptions.Commands;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.UnitTests;

/// <summary>
/// The second look at a record, for what PowerShell's binding cannot do. Binding is played here by
/// setting the parameters as PowerShell would have bound them from the same record.
/// </summary>
public sealed class RecordColumnsTests
{
    private static PSObject Row(params (string Header, object? Value)[] cells)
    {
        var row = new PSObject();
        foreach (var (header, value) in cells) row.Properties.Add(new PSNoteProperty(header, value));
        return row;
    }

    private static RecordColumns ColumnsOf(PSCmdlet cmdlet, params string[] commandLine) =>
        new(cmdlet, commandLine, RecordInput.SourceColumn);

    [Theory]
    [InlineData("\uFEFFcontact_id")]
    [InlineData(" Contact ID ")]
    [InlineData("Contact\u200B ID")]
    public void A_header_binding_cannot_match_for_an_invisible_character_or_white_space_is_read_under_its_spelling(string header)
    {
        var cells = ColumnsOf(new AddIntercomContactSubscriptionCommand()).Read(Row((header, " c14 ")));

        var contactIds = cells.Values("ContactId");
        Assert.NotNull(contactIds);
        Assert.Equal(["c14"], contactIds);
        Assert.Null(cells.Conflict);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData(" \t ", null)]
    [InlineData("\uFEFF", null)]
    [InlineData(" c14 ", "c14")]
    [InlineData("a b", "a b")]
    public void Cells_are_trimmed_and_empty_ones_are_absent(string? cell, string? value) =>
        Assert.Equal(value, CellValue.Clean(cell));

    [Fact]
    public void A_hashtable_is_read_by_its_keys_in_any_case_and_non_strings_as_invariant_text()
    {
        var cells = ColumnsOf(new AddIntercomContactSubscriptionCommand())
            .Read(new PSObject(new Hashtable { ["Subscription ID"] = 110, ["E-MAIL"] = " ada@example.com ", ["consent_type"] = "OPT_IN" }));

        Assert.Equal("110", cells.Single("SubscriptionId"));
        Assert.Equal("ada@example.com", cells.Single("Email"));
        Assert.Equal("opt_in", RecordInput.From(cells).Consent);
    }

    [Fact]
    public void What_binding_bound_stands_and_the_record_fills_in_what_binding_left_empty()
    {
        // Binding took the empty ContactId column (the parameter's own name comes first) and Email Address.
        var cmdlet = new AddIntercomContactSubscriptionCommand { ContactId = new[] { "" }, Email = new[] { "grace@example.com" }, SubscriptionId = "108" };
        var row = Row(("ContactId", ""), ("contact_id", "c9"), ("Email Address", "grace@example.com"), ("subscription_id", "108"), ("Source", SubscriptionSource.Default));

        var record = RecordInput.From(ColumnsOf(cmdlet).Read(row));

        Assert.NotNull(record.Contacts.ContactId);
        Assert.Equal(["c9"], record.Contacts.ContactId);
        Assert.NotNull(record.Contacts.Email);
        Assert.Equal(["grace@example.com"], record.Contacts.Email);
        Assert.Equal("108", record.SubscriptionId);
        Assert.True(record.IsDefaultSource);
    }

    [Fact]
    public void Two_spellings_of_one_column_that_disagree_are_a_conflict_naming_both()
    {
        var cmdlet = new AddIntercomContactSubscriptionCommand { ContactId = new[] { "c1" } };

        var cells = ColumnsOf(cmdlet).Read(Row(("contact_id", "c1"), ("Contact ID", "c2")));

        var (column, message) = cells.Conflict!.Value;
        Assert.Equal("ContactId", column);
        Assert.Contains("'contact_id' ('c1')", message);
        Assert.Contains("'Contact ID' ('c2')", message);
    }

    [Fact]
    public void Two_spellings_that_agree_or_leave_one_empty_are_no_conflict()
    {
        var cmdlet = new AddIntercomContactSubscriptionCommand { ContactId = new[] { "c1" } };

        Assert.Null(ColumnsOf(cmdlet).Read(Row(("contact_id", "c1"), ("Contact ID", " c1 "), ("intercom_id", ""))).Conflict);
    }

    [Fact]
    public void What_the_command_line_names_decides_over_the_records_columns()
    {
        // -ContactId c2 -SubscriptionId 110 on the command line; the piped record bound Email and SubscriptionName.
        var cmdlet = new AddIntercomContactSubscriptionCommand
        {
            ContactId = new[] { "c2" }, Email = new[] { "ada@example.com" }, SubscriptionId = "110", SubscriptionName = "Newsletters",
        };
        var row = Row(("Email", "ada@example.com"), ("subscription_name", "Newsletters"), ("\uFEFFexternal_id", "x1"));

        var record = RecordInput.From(ColumnsOf(cmdlet, "ContactId", "SubscriptionId").Read(row));

        Assert.Equal(new ContactColumns(["c2"], null, null).ContactId, record.Contacts.ContactId);
        Assert.Null(record.Contacts.Email);
        Assert.Null(record.Contacts.ExternalId);
        Assert.Equal("110", record.SubscriptionId);
        Assert.Null(record.SubscriptionName);
    }

    [Fact]
    public void A_value_binding_could_not_convert_is_read_as_the_record_gave_it()
    {
        // Set's State is an enum: PowerShell leaves it unbound for 'Sometimes', and says nothing.
        var cells = ColumnsOf(new SetIntercomContactSubscriptionCommand { ContactId = ["c1"] })
            .Read(Row(("contact_id", "c1"), ("state", "Sometimes")));

        Assert.Equal("Sometimes", cells.Single("State"));
    }

    [Fact]
    public void Only_the_cmdlets_own_columns_are_read()
    {
        // Remove has no -Consent: a consent column is none of its business.
        var cells = ColumnsOf(new RemoveIntercomContactSubscriptionCommand()).Read(Row(("consent_type", "double_opt_in"), ("\uFEFFcontact_id", "c1")));

        Assert.Null(cells.Values("Consent"));
        Assert.Null(RecordInput.From(cells).Error(null));
    }

    [Fact]
    public void An_empty_value_typed_on_the_command_line_is_refused_naming_the_parameter()
    {
        var cmdlet = new AddIntercomContactSubscriptionCommand { ContactId = new[] { "c1", " " } };

        var error = ColumnsOf(cmdlet, "ContactId").RefusedOnCommandLine();

        Assert.NotNull(error);
        Assert.Contains("-ContactId is empty", error.ErrorDetails.Message);
        Assert.Null(ColumnsOf(new AddIntercomContactSubscriptionCommand { Email = ["a@example.com"] }, "Email").RefusedOnCommandLine());
    }

    [Theory]
    [InlineData("ContactId", "a/b")]
    [InlineData("SubscriptionId", "abc")]
    [InlineData("Consent", "maybe")]
    public void A_value_typed_on_the_command_line_that_no_record_could_use_is_refused_naming_the_parameter_and_the_value(string parameter, string value)
    {
        var cmdlet = new AddIntercomContactSubscriptionCommand { ContactId = ["c1"], SubscriptionId = "108", Consent = "opt_in" };
        typeof(AddIntercomContactSubscriptionCommand).GetProperty(parameter)!.SetValue(cmdlet, parameter == "ContactId" ? new[] { "c1", value } : value);

        var error = ColumnsOf(cmdlet, "ContactId", "SubscriptionId", "Consent").RefusedOnCommandLine();

        Assert.NotNull(error);
        Assert.Equal("IntercomInvalidArgument", error.FullyQualifiedErrorId);
        Assert.Contains($"parameter '{parameter}'", error.ErrorDetails.Message);
        Assert.Contains($"'{value}'", error.ErrorDetails.Message);
        Assert.Equal(value, error.TargetObject);
        Assert.Null(ColumnsOf(new AddIntercomContactSubscriptionCommand { ContactId = ["c1"], SubscriptionId = "108", Consent = "OPT_IN" },
            "ContactId", "SubscriptionId", "Consent").RefusedOnCommandLine());
    }

    [Fact]
    public void The_public_failure_kinds_name_every_kind_the_engine_has()
    {
        // IntercomFailureKind mirrors the engine's IntercomErrorKind, which PowerShell cannot see.
        var missing = Enum.GetNames<IntercomErrorKind>().Except(Enum.GetNames<IntercomFailureKind>());
        Assert.Empty(missing);
    }
}
