using System.Text.Json;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.Engine.Tests;

public sealed class IntercomJsonTests
{
    private static SubscriptionTypeData Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return IntercomJson.ReadSubscriptionType(document.RootElement);
    }

    [Fact]
    public void ReadSubscriptionType_reads_a_full_answer()
    {
        var type = Read("""
            {"type":"subscription","id":"108","state":"live","consent_type":"opt_in",
             "default_translation":{"name":"Newsletters","description":"Monthly news","locale":"en"},
             "translations":[{"name":"Newsletters","description":"Monthly news","locale":"en"},
                             {"name":"Infolettres","description":"Nouvelles","locale":"fr"}],
             "content_types":["email","sms_message"]}
            """);
        Assert.Equal("108", type.Id);
        Assert.Equal("live", type.State);
        Assert.Equal("opt_in", type.ConsentType);
        Assert.Equal(new TranslationData("Newsletters", "Monthly news", "en"), type.DefaultTranslation);
        Assert.Equal(["en", "fr"], type.Translations.Select(t => t.Locale));
        Assert.Equal("Infolettres", type.Translations[1].Name);
        Assert.Equal(["email", "sms_message"], type.ContentTypes);
    }

    [Fact]
    public void ReadSubscriptionType_takes_a_numeric_id_and_ignores_unknown_fields()
    {
        var type = Read("""
            {"id":108,"state":"archived","consent_type":"opt_out","brand_new_field":{"nested":[1,2,3]},
             "another":null,"content_types":["email"]}
            """);
        Assert.Equal("108", type.Id);
        Assert.Equal("archived", type.State);
        Assert.Equal("opt_out", type.ConsentType);
        Assert.Equal(["email"], type.ContentTypes);
    }

    [Fact]
    public void ReadSubscriptionType_tolerates_missing_or_odd_translations()
    {
        var missing = Read("""{"id":"109"}""");
        Assert.Null(missing.DefaultTranslation);
        Assert.Empty(missing.Translations);
        Assert.Empty(missing.ContentTypes);
        Assert.Null(missing.State);

        var odd = Read("""
            {"id":"109","default_translation":"Product updates",
             "translations":[null,"x",{"locale":"de"},{"name":42,"description":true}]}
            """);
        Assert.Null(odd.DefaultTranslation);
        Assert.Equal(2, odd.Translations.Count); // only the objects
        Assert.Equal(new TranslationData(null, null, "de"), odd.Translations[0]);
        Assert.Equal(new TranslationData("42", "true", null), odd.Translations[1]);
    }

    [Theory]
    [InlineData("\"email\"")]
    [InlineData("{\"email\":true}")]
    [InlineData("null")]
    [InlineData("7")]
    public void ReadSubscriptionType_ignores_content_types_that_are_not_a_list(string contentTypes)
    {
        var type = Read($$"""{"id":"110","content_types":{{contentTypes}}}""");
        Assert.Equal("110", type.Id);
        Assert.Empty(type.ContentTypes);
    }

    [Fact]
    public void ReadSubscriptionType_keeps_the_readable_entries_of_a_mixed_content_type_list()
    {
        var type = Read("""{"id":"110","content_types":["email",null,{"x":1},["sms"],"sms_message"]}""");
        Assert.Equal(["email", "sms_message"], type.ContentTypes);
    }

    [Theory]
    [InlineData("""{"state":"live"}""")]
    [InlineData("""{"id":""}""")]
    [InlineData("""{"id":null}""")]
    [InlineData("""{"id":{"value":"108"}}""")]
    [InlineData("""["108"]""")]
    [InlineData("\"108\"")]
    public void ReadSubscriptionType_refuses_an_answer_without_an_id(string json)
    {
        var ex = Assert.Throws<IntercomApiException>(() => Read(json));
        Assert.Equal(IntercomErrorKind.InvalidResponse, ex.Kind);
        Assert.Contains("without an id", ex.Message);
    }

    [Fact]
    public void ReadErrorList_reads_the_first_error_and_the_request_id()
    {
        var (code, message, requestId) = ReadErrorList("""
            {"type":"error.list","request_id":"b6bbcc77-1","errors":[
              {"code":"not_found","message":"Contact Not Found"},
              {"code":"second","message":"ignored"}]}
            """);
        Assert.Equal("not_found", code);
        Assert.Equal("Contact Not Found", message);
        Assert.Equal("b6bbcc77-1", requestId);
    }

    [Fact]
    public void ReadErrorList_skips_entries_that_are_not_objects_and_tolerates_missing_parts()
    {
        Assert.Equal(("unauthorized", null, null),
            ReadErrorList("""{"errors":["oops",null,{"code":"unauthorized"}]}"""));
        Assert.Equal((null, null, "r-1"), ReadErrorList("""{"request_id":"r-1","errors":"not a list"}"""));
        Assert.Equal(("404", "Not here", null), ReadErrorList("""{"errors":[{"code":404,"message":"Not here"}]}"""));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \n")]
    [InlineData("Bad Gateway")]
    [InlineData("<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>")]
    [InlineData("{\"errors\":[{\"code\":\"x\"")]  // cut off
    [InlineData("[{\"code\":\"not_found\"}]")]     // JSON, but not an error object
    [InlineData("\"not_found\"")]
    [InlineData("null")]
    public void ReadErrorList_returns_nothing_for_bodies_that_are_not_an_error_list(string? body) =>
        Assert.Equal((null, null, null), ReadErrorList(body));

    [Fact]
    public void ReadErrorList_survives_absurdly_deep_json()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);
        Assert.Equal((null, null, null), ReadErrorList(deep));
    }

    private static (string? Code, string? Message, string? RequestId) ReadErrorList(string? body) =>
        IntercomJson.ReadErrorList(body is null ? AnswerJson.Blank : IntercomJson.Keep(System.Text.Encoding.UTF8.GetBytes(body)));
}
