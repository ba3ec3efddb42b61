using System.Text;
using System.Text.Json;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>
/// What <see cref="StreamingJsonFilter"/> keeps of a body, fed the way a socket feeds it (in chunks of
/// any size), and what it holds meanwhile: the module must read the same from the kept JSON as from
/// the whole body, and a huge property nobody reads must cost no more than the window.
/// </summary>
public sealed class StreamingJsonFilterTests
{
    private static readonly int[] ChunkSizes = [1, 7, 100, 4096, 65_536, int.MaxValue];

    private const string FullType = """
        {"type":"subscription","id":"108","state":"live","consent_type":"opt_in","created_at":1700000000,
         "default_translation":{"name":"News\u001b[2J","description":"Monthly","locale":"en","extra":[1,{"a":2}]},
         "translations":[{"name":"News","locale":"en"},{"name":"Infolettres","description":"Nouvelles","locale":"fr"},"odd",null],
         "content_types":["email",{"x":1},"sms_message",7],"brand_new":{"nested":[1,2,[3,{"id":"no"}]]}}
        """;

    private const string FullContact = """
        {"type":"contact","id":"c1","workspace_id":"w","external_id":"u-1","role":"user","email":"a@b.c",
         "unsubscribed_from_emails":true,"has_hard_bounced":false,"marked_email_as_spam":true,
         "custom_attributes":{"id":"not-me","email":"nope"},"tags":{"type":"list","data":[{"id":"t1"}]},
         "opted_in_subscription_types":{"type":"list","data":[{"type":"subscription","id":"108","url":"/x"}],"url":"/y","total_count":1,"has_more":false},
         "opted_out_subscription_types":{"type":"list","data":[],"total_count":0,"has_more":true}}
        """;

    [Fact]
    public void Only_the_properties_the_module_reads_are_kept()
    {
        var kept = KeptText("""{"type":"list","data":[{"id":"1","name":"x","nested":{"id":"deep"}}],"url":"/u","total_count":3,"pages":{"page":1,"next":{"page":2,"starting_after":"abc"}}}""");

        Assert.Equal("""{"data":[{"id":"1"}],"total_count":3,"pages":{"next":{"starting_after":"abc"}}}""", kept);
    }

    [Theory]
    [InlineData("""{"data":"nope","id":{"a":1},"email":[1,2],"pages":7,"errors":{"code":"x"}}""", """{"data":"nope","id":{},"email":[],"pages":7,"errors":{}}""")]
    [InlineData("""[{"id":"1"},{"id":"2"}]""", "[]")]
    [InlineData("\"not_found\"", "\"not_found\"")]
    [InlineData("null", "null")]
    [InlineData("""{"\u0069d":"escaped name","em\u0061il":"b@c.d"}""", """{"id":"escaped name","email":"b@c.d"}""")]
    [InlineData("""{"email":"caf\u00e9 \ud83d\ude00 \"q\" é"}""", """{"email":"caf\u00e9 \ud83d\ude00 \"q\" é"}""")]
    public void A_value_of_another_kind_than_expected_keeps_its_kind_and_strings_stay_as_they_came(string body, string expected) =>
        Assert.Equal(expected, KeptText(body));

    [Fact]
    public void The_readers_read_the_same_from_what_is_kept_as_from_the_whole_body()
    {
        var list = $$"""{"type":"list","data":[{{FullType}},{"id":109,"consent_type":"opt_out"}],"padding":"{{new string('x', 200_000)}}"}""";
        using (var whole = JsonDocument.Parse(list))
        {
            var expected = whole.RootElement.GetProperty("data").EnumerateArray().Select(IntercomJson.ReadSubscriptionType).ToList();
            using var response = Answer(list);
            var actual = IntercomJson.ReadList(response, IntercomJson.ReadSubscriptionType);
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i] with { Translations = [], ContentTypes = [] }, actual[i] with { Translations = [], ContentTypes = [] });
                Assert.Equal(expected[i].Translations, actual[i].Translations);
                Assert.Equal(expected[i].ContentTypes, actual[i].ContentTypes);
            }
        }

        var page = """{"type":"list","data":[""" + FullContact + """],"total_count":302,"pages":{"type":"pages","next":{"page":2,"starting_after":"WzE1MF0="}}}""";
        using (var whole = JsonDocument.Parse(page))
        {
            var expected = IntercomJson.ReadContactConsent(whole.RootElement.GetProperty("data")[0]);
            using var response = Answer(page);
            var actual = IntercomJson.ReadContactPage(response);
            var contact = Assert.Single(actual.Contacts);
            Assert.Equal(expected with { OptedIn = null, OptedOut = null }, contact with { OptedIn = null, OptedOut = null });
            Assert.Equal(["108"], contact.OptedIn!);
            Assert.Null(contact.OptedOut);
            Assert.Equal("WzE1MF0=", actual.NextCursor);
            Assert.Equal(302, actual.TotalCount);
        }

        using var error = Answer("""{"type":"error.list","request_id":"r-9","errors":[{"code":"not_found","message":"User Not Found","field":null}],"padding":"zzz"}""");
        Assert.Equal(("not_found", "User Not Found", "r-9"), IntercomJson.ReadErrorList(error.Body));
    }

    [Fact]
    public void A_huge_property_nobody_reads_is_not_held_whatever_the_chunks()
    {
        var body = $$"""{"type":"subscription","id":"108","consent_type":"opt_in","padding":"{{new string('x', 3_000_000)}}","state":"live"}""";
        foreach (var chunk in ChunkSizes)
        {
            var (kept, mostHeld) = Filter(body, chunk);
            Assert.Equal("""{"id":"108","consent_type":"opt_in","state":"live"}""", kept);
            Assert.True(mostHeld <= StreamingJsonFilter.MaxWindowBytes + (16 * 1024), $"held {mostHeld} bytes with chunks of {chunk}");
        }
    }

    [Fact]
    public void Huge_white_space_anywhere_is_not_held()
    {
        var spaces = new string(' ', 300_000);
        var body = $$"""{{spaces}}{"id"{{spaces}}:{{spaces}}"108"{{spaces}},{{spaces}}"data"{{spaces}}:[{{spaces}}{"id":"1"}{{spaces}},{{spaces}}{"id":"2"}]{{spaces}}}{{spaces}}""";
        foreach (var chunk in new[] { 4096, 65_536, int.MaxValue })
        {
            var (kept, mostHeld) = Filter(body, chunk);
            Assert.Equal("""{"id":"108","data":[{"id":"1"},{"id":"2"}]}""", kept);
            Assert.True(mostHeld <= StreamingJsonFilter.MaxWindowBytes + (16 * 1024), $"held {mostHeld} bytes with chunks of {chunk}");
        }
    }

    [Theory]
    [InlineData("x", 1)]          // one byte a character
    [InlineData("é", 2)]          // two-byte UTF-8
    [InlineData("😀", 4)]         // a surrogate pair as four UTF-8 bytes
    [InlineData("\\u001b", 6)]    // an escape (a control character, shown escaped)
    [InlineData("\\ud83d\\ude00", 12)] // an escaped surrogate pair, which must not be split
    public void A_kept_string_too_long_for_the_window_is_cut_and_reads_as_the_whole_one_does(string unit, int bytesPerUnit)
    {
        var repeat = (200_000 / bytesPerUnit) + 3;
        var value = string.Concat(Enumerable.Repeat(unit, repeat));
        var body = $$"""{"type":"list","data":[{"id":"c1","email":"{{value}}","role":"user"}],"padding":"{{value}}","total_count":1}""";
        using var whole = JsonDocument.Parse(body);
        var expected = IntercomJson.ReadContact(whole.RootElement.GetProperty("data")[0]);

        foreach (var chunk in ChunkSizes)
        {
            using var response = Answer(body, chunk);
            var contact = Assert.Single(IntercomJson.ReadList(response, IntercomJson.ReadContact));
            Assert.True(expected == contact, $"read {contact.Email!.Length} characters of the email with chunks of {chunk}, {expected.Email!.Length} from the whole body");
            Assert.EndsWith("…", contact.Email);
            Assert.True(response.Body.Json.Length < IntercomJson.LongestStringKeptBytes + 200, $"kept {response.Body.Json.Length} bytes with chunks of {chunk}");
        }
    }

    [Theory]
    [InlineData("""{"type":"list","data":[{"id":"108",""")]
    [InlineData("""{"type": list, "data": [}""")]
    [InlineData("<html><body>Bad gateway</body></html>")]
    [InlineData("""{"id":"1"} trailing""")]
    [InlineData("{\"id\":\"1\u0001\"}")]
    [InlineData("""{"id":"\q"}""")]
    [InlineData("""{"id":"\u12G4"}""")]
    [InlineData("""{"id":tru""")]
    [InlineData("""{"id":"1"}}""")]
    public void Invalid_JSON_is_refused_with_what_JsonDocument_says(string body)
    {
        var expected = Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body).Dispose());
        foreach (var chunk in ChunkSizes)
        {
            var (answer, _) = FilterAnswer(body, chunk);
            using (answer)
            {
                Assert.NotNull(answer.Invalid);
                Assert.Equal(FirstSentence(expected.Message), FirstSentence(answer.Invalid.Message));
                Assert.False(answer.IsBlank);
            }
        }
    }

    [Fact]
    public void Deep_nesting_is_refused_as_JsonDocument_refuses_it()
    {
        using var answer = IntercomJson.Keep(Encoding.UTF8.GetBytes("{\"data\":" + new string('[', 5000) + new string(']', 5000) + "}"));
        Assert.Contains("depth of 64", answer.Invalid!.Message);
    }

    [Theory]
    [InlineData("\u0001")]        // a raw control character
    [InlineData("\\q")]           // a bad escape
    [InlineData("\\u00zz")]       // a bad \u escape
    public void Invalid_content_deep_inside_a_huge_skipped_string_is_still_found(string bad)
    {
        var body = $$"""{"id":"1","padding":"{{new string('x', 500_000)}}{{bad}}{{new string('y', 500_000)}}"}""";
        var expected = Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body).Dispose());
        foreach (var chunk in ChunkSizes)
        {
            var (answer, _) = FilterAnswer(body, chunk);
            using (answer)
                Assert.Equal(FirstSentence(expected.Message), FirstSentence(answer.Invalid!.Message));
        }
    }

    [Fact]
    public void A_body_that_ends_inside_a_huge_string_is_invalid()
    {
        var (answer, _) = FilterAnswer("""{"id":"1","padding":" """ + new string('x', 300_000), 65_536);
        using (answer)
            Assert.Contains("end of data", answer.Invalid!.Message);
    }

    [Fact]
    public void A_number_longer_than_the_window_is_refused_as_JSON_the_module_does_not_read()
    {
        var (answer, mostHeld) = FilterAnswer("""{"id":"1","padding":""" + new string('1', 300_000) + "}", 65_536);
        using (answer)
        {
            Assert.IsType<JsonTokenTooLongException>(answer.Invalid);
            Assert.True(mostHeld <= StreamingJsonFilter.MaxWindowBytes + (16 * 1024));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \r\n\t ")]
    public void A_blank_body_is_blank_not_invalid(string body)
    {
        using var answer = IntercomJson.Keep(Encoding.UTF8.GetBytes(body));
        Assert.True(answer.IsBlank);
        Assert.Null(answer.Invalid);
        Assert.True(answer.Json.IsEmpty);
    }

    [Fact]
    public void A_long_name_of_a_property_nobody_reads_is_skipped_with_its_value()
    {
        var body = $$"""{"id":"1","{{new string('n', 150_000)}}":{"id":"no","data":[1,2]},"email":"a@b.c"}""";
        Assert.Equal("""{"id":"1","email":"a@b.c"}""", Filter(body, 4096).Kept);
    }

    [Fact]
    public void The_window_and_the_kept_buffer_go_back_to_the_pool_and_nothing_is_held_after()
    {
        var body = Encoding.UTF8.GetBytes(FullType);
        var filter = IntercomJson.NewFilter(body.Length, 1024 * 1024);
        var space = filter.ReadSpace();
        body.CopyTo(space.AsSpan());
        filter.Advance(body.Length);
        var answer = filter.Complete();
        filter.Dispose();
        Assert.Equal(0, filter.HeldBytes - answer.HeldBytes);
        answer.Dispose();
        Assert.Equal(0, answer.HeldBytes);
        Assert.True(answer.Json.IsEmpty);
    }

    private static string FirstSentence(string message) => message.Split('.')[0];

    private static ApiResponse Answer(string body, int chunk = int.MaxValue) =>
        new(200, "OK", "application/json", FilterAnswer(body, chunk).Answer, "req-1");

    private static string KeptText(string body) => Filter(body, int.MaxValue).Kept;

    private static (string Kept, long MostHeld) Filter(string body, int chunk)
    {
        var (answer, mostHeld) = FilterAnswer(body, chunk);
        using (answer)
        {
            Assert.Null(answer.Invalid);
            return (Encoding.UTF8.GetString(answer.Json.Span), mostHeld);
        }
    }

    /// <summary>
    /// Feeds <paramref name="body"/> as a socket would, <paramref name="chunk"/> bytes at most a read; the
    /// most the filter held at once. What it holds after a read never passes what it forecast before it.
    /// </summary>
    private static (AnswerJson Answer, long MostHeld) FilterAnswer(string body, int chunk)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var filter = IntercomJson.NewFilter(null, bytes.Length);
        long mostHeld = 0;
        var at = 0;
        while (at < bytes.Length)
        {
            var forecast = filter.MostHeldAfterNextRead;
            var space = filter.ReadSpace();
            var count = Math.Min(Math.Min(space.Count, chunk), bytes.Length - at);
            bytes.AsSpan(at, count).CopyTo(space.AsSpan());
            filter.Advance(count);
            at += count;
            Assert.True(filter.HeldBytes <= forecast, $"held {filter.HeldBytes} bytes, forecast {forecast}");
            mostHeld = Math.Max(mostHeld, filter.HeldBytes);
        }
        return (filter.Complete(), mostHeld);
    }
}
