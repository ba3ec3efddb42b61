using System.Management.Automation;

namespace IntercomSubscriptions.UnitTests;

/// <summary>The text of the output lists: what Export-Csv writes for them.</summary>
public sealed class ExportTextTests
{
    [Fact]
    public void A_value_list_reads_as_its_items_joined_and_still_counts_like_an_array()
    {
        ValueList<string> types = new[] { "email", "sms_message" };

        Assert.Equal("email, sms_message", types.ToString());
        Assert.Equal((2, 2, "sms_message"), (types.Count, types.Length, types[1]));
        Assert.Equal("", new ValueList<string>(Array.Empty<string>()).ToString());
    }

    [Fact]
    public void Translations_are_joined_by_semicolons_as_locale_and_name()
    {
        var type = ModelMapper.ToSubscriptionType(new Engine.SubscriptionTypeData("108", "live", "opt_in", null,
            [new Engine.TranslationData("News, weekly", "d", "en"), new Engine.TranslationData("Lettre", null, "fr")], ["email"]));

        Assert.Equal("en: News, weekly; fr: Lettre", type.Translations.ToString());
        Assert.Equal("email", type.ContentTypes.ToString());
    }

    [Fact]
    public void A_summarys_errors_read_as_each_id_with_its_count_most_frequent_first()
    {
        ErrorRecord Error(string id) => new(new IntercomRecordException("m"), id, ErrorCategory.NotSpecified, null);
        var errors = new IntercomErrorList(new[] { Error("IntercomServerError"), Error("IntercomContactNotFound"), Error("IntercomContactNotFound") });

        Assert.Equal("2 IntercomContactNotFound, 1 IntercomServerError", errors.ToString());
        Assert.Equal("", new IntercomErrorList(Array.Empty<ErrorRecord>()).ToString());
    }
}
