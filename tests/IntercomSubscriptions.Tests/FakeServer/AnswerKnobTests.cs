using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace IntercomSubscriptions.Tests.FakeServer;

/// <summary>The answer knobs of issue 9: wrong ids, huge and dripping bodies, control characters in fields.</summary>
public sealed class AnswerKnobTests : FakeServerFixture
{
    [Fact]
    public async Task An_attach_can_be_answered_with_another_type_id_while_the_asked_type_is_changed()
    {
        Server.Faults.AnswerTypeIdInstead(Newsletters, ProductUpdates);
        using var response = await PostJsonAsync($"contacts/{Grace}/subscriptions", $$"""{"id":"{{Newsletters}}","consent_type":"opt_in"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ProductUpdates, (await JsonOf(response)).GetProperty("id").GetString());
        Assert.Equal(new Dictionary<string, string> { [Newsletters] = "opt_in" }, Server.State.GetChoices(Grace));
    }

    [Fact]
    public async Task A_detach_can_be_answered_with_an_id_no_type_has()
    {
        Server.Faults.AnswerTypeIdInstead(ProductUpdates, "999");
        using var response = await Http.DeleteAsync($"contacts/{Ada}/subscriptions/{ProductUpdates}");
        Assert.Equal("999", (await JsonOf(response)).GetProperty("id").GetString());
        Assert.Empty(Server.State.GetChoices(Ada));
    }

    [Fact]
    public async Task Successful_answers_can_be_padded_to_a_huge_valid_JSON_body()
    {
        Server.Faults.PadJsonAnswersToBytes = 5_000_000;
        using var response = await Http.GetAsync("subscription_types");
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(5_000_000, response.Content.Headers.ContentLength);
        Assert.Equal(5_000_000, body.Length);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(4, doc.RootElement.GetProperty("data").GetArrayLength());
        Assert.Equal(new string('x', 16), doc.RootElement.GetProperty("padding").GetString()![..16]);

        // Errors are not padded: they are small in real life too.
        using var notFound = await Http.GetAsync("contacts/nobody/subscriptions");
        Assert.True((await notFound.Content.ReadAsByteArrayAsync()).Length < 1000);
    }

    [Fact]
    public async Task Answers_can_drip_a_few_bytes_at_a_time_in_chunks()
    {
        Server.Faults.DripChunkBytes = 16;
        Server.Faults.DripIntervalMs = 10;
        var clock = Stopwatch.StartNew();
        using var response = await Http.GetAsync("subscription_types", HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Null(response.Content.Headers.ContentLength);
        var body = await response.Content.ReadAsByteArrayAsync();
        clock.Stop();
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(4, doc.RootElement.GetProperty("data").GetArrayLength());
        // It really paused between chunks: (chunks - 1) pauses at least, with room for a coarse timer.
        var pauses = (body.Length + 15) / 16 - 1;
        Assert.True(clock.ElapsedMilliseconds >= pauses * 10 / 2, $"{body.Length} bytes in {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Control_characters_in_type_fields_reach_the_client_as_sent()
    {
        const string name = "News\u001b[31m\u0007letters";
        const string description = "\u0007\u001b]0;title\u0007";
        Server.State.AddSubscriptionType("120", name, description: description,
            translations: [new FakeIntercom.TranslationRecord("fr", "Nouvelles\u001b[2J", null)]);
        using var response = await Http.GetAsync("subscription_types");
        var type = (await JsonOf(response)).GetProperty("data").EnumerateArray().Single(t => t.GetProperty("id").GetString() == "120");
        Assert.Equal(name, type.GetProperty("default_translation").GetProperty("name").GetString());
        Assert.Equal(description, type.GetProperty("default_translation").GetProperty("description").GetString());
        Assert.Equal("Nouvelles\u001b[2J", type.GetProperty("translations")[1].GetProperty("name").GetString());
    }
}
