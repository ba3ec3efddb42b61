using System.Management.Automation;
using static IntercomSubscriptions.UnitTests.FailedRecordTestData;

namespace IntercomSubscriptions.UnitTests;

public sealed class FailedRecordRowsTests
{
    private static string Cells(FailedRecordRow row) => string.Join("; ", row.Cells.Select(c => $"{c.Key}={c.Value}"));

    [Fact]
    public void A_csv_row_is_its_columns_in_order_and_the_error_its_id_and_message()
    {
        var row = Assert.Single(new FailedRecordRows(null).Of(NotFound(Row(("email", "ada@example.com"), ("note", "=1+2")), "ada@example.com")));

        Assert.Equal("email=ada@example.com; note==1+2", Cells(row));
        Assert.Equal("IntercomContactNotFound", row.ErrorId);
        Assert.Contains("ada@example.com", row.ErrorMessage);
    }

    [Fact]
    public void A_hashtable_is_its_keys_and_values_not_its_type_name()
    {
        var row = Assert.Single(new FailedRecordRows(null).Of(NotFound(Table(("contact_id", "c-404")))));

        Assert.Equal("contact_id=c-404", Cells(row));
    }

    [Theory]
    [InlineData("ada@example.com", "Email")]
    [InlineData("63a07ddf05a32042dffac999", "ContactId")]
    public void A_plain_string_piped_in_goes_under_the_column_that_reads_it_the_same_way(string piped, string column)
    {
        var row = Assert.Single(new FailedRecordRows(null).Of(NotFound(PSObject.AsPSObject(piped))));

        Assert.Equal($"{column}={piped}", Cells(row));
    }

    [Fact]
    public void A_contact_given_on_the_command_line_is_written_under_its_parameter_one_row_for_the_one_that_failed()
    {
        var rows = new FailedRecordRows(("ExternalId", ["u-1", "u-2"])).Of(NotFound("u-2", contactKey: "u-2"));

        Assert.Equal("ExternalId=u-2", Cells(Assert.Single(rows)));
    }

    [Fact]
    public void A_command_line_that_failed_as_a_whole_is_one_row_for_each_contact_it_named()
    {
        var unknownType = IntercomErrors.ToErrorRecord(new SubscriptionTypeResolutionException("No subscription type has the id '999'."), "999");

        var rows = new FailedRecordRows(("Email", ["a@example.com", "b@example.com"])).Of(RunSummaryCollector.Lean(unknownType));

        Assert.Equal(["Email=a@example.com", "Email=b@example.com"], rows.Select(Cells));
        Assert.All(rows, row => Assert.Equal("IntercomSubscriptionTypeNotFound", row.ErrorId));
    }

    [Fact]
    public void A_record_that_named_no_contact_still_has_its_row()
    {
        var noContact = IntercomErrors.InvalidArgument("The input names no contact.", null, ErrorIds.ContactColumnMissing);

        var row = Assert.Single(new FailedRecordRows(null).Of(RunSummaryCollector.Lean(noContact)));

        Assert.Empty(row.Cells);
        Assert.Equal("IntercomContactColumnMissing", row.ErrorId);
    }

    [Fact]
    public void An_object_is_its_properties_with_lists_as_their_values()
    {
        var subscription = new ContactSubscription { ContactId = "c1", SubscriptionId = "110", ContentTypes = new[] { "email", "sms_message" } };

        var row = Assert.Single(new FailedRecordRows(null).Of(NotFound(PSObject.AsPSObject(subscription))));

        Assert.Contains(new KeyValuePair<string, string?>("ContentTypes", "email, sms_message"), row.Cells);
        Assert.Contains(new KeyValuePair<string, string?>("ContactId", "c1"), row.Cells);
        Assert.DoesNotContain(row.Cells, c => c.Value?.StartsWith("System.", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void A_row_of_a_failed_records_file_is_read_as_the_file_meant_it_and_its_old_error_columns_are_replaced()
    {
        // As Import-Csv gives a row of the file back: guarded cells, and the last run's error columns.
        var fromFile = Row(("email", "'-dash@example.com"), ("'=weird column", "'@x"), ("note", "''quoted"),
            (FailedRecordFile.ErrorIdColumn, "IntercomContactNotFound"), (FailedRecordFile.ErrorMessageColumn, "old message"));

        var row = Assert.Single(new FailedRecordRows(null).Of(NotFound(fromFile)));

        Assert.Equal("email=-dash@example.com; =weird column=@x; note='quoted", Cells(row));
    }

    [Fact]
    public void A_row_of_your_own_file_is_taken_as_it_is()
    {
        var row = Assert.Single(new FailedRecordRows(null).Of(NotFound(Row(("email", "'-dash@example.com")))));

        Assert.Equal("email='-dash@example.com", Cells(row));
    }
}
