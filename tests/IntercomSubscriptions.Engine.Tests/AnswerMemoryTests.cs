using System.Net;
using System.Text;
using FakeIntercom;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>
/// What answers hold at once, by the connection's own count (<see cref="AnswerMemoryGate"/>): within
/// <see cref="AnswerMemoryGate.MostHeldBytes"/> always, and for a padded answer a window, whatever its
/// size. Through the real transport against the fake Intercom (its PadJsonAnswersToBytes knob), and
/// through the scripted handler where answers must be read at exactly the same time.
/// </summary>
public sealed class AnswerMemoryTests
{
    /// <summary>What one padded answer holds while it is read: the window and a few kilobytes of kept JSON.</summary>
    private const long PaddedAnswerBytes = StreamingJsonFilter.MaxWindowBytes + (16 * 1024);

    [Fact]
    public async Task Answers_padded_to_15_MiB_read_at_once_hold_a_window_each_not_their_size()
    {
        const int calls = 8;
        await using var server = await FakeIntercomServer.StartAsync();
        var contacts = Enumerable.Range(0, calls).Select(i => $"padded-{i}").ToArray();
        server.State.AddContacts(contacts.Select(id => new ContactRecord(id, null, null, "user")));
        server.Faults.PadJsonAnswersToBytes = 15L * 1024 * 1024;
        using var client = Connect(server);

        var results = await Task.WhenAll(contacts.Select(id => client.AttachSubscriptionAsync(id, SampleData.Newsletters, "opt_in", null, CancellationToken.None)));

        Assert.All(results, type => Assert.Equal(SampleData.Newsletters, type.Id));
        Assert.Equal(calls, server.CallCount("POST /contacts/{id}/subscriptions"));
        var peak = client.Answers.PeakBufferedBytes;
        Assert.InRange(peak, 1, calls * PaddedAnswerBytes);
        Assert.True(peak <= AnswerMemoryGate.MostHeldBytes(calls, client.Options.MaxResponseBytes));
        Assert.Equal(0, client.Answers.BufferedBytes);
    }

    [Fact]
    public async Task Contact_list_pages_and_search_pages_of_8_MiB_hold_a_window_not_the_page()
    {
        await using var server = await FakeIntercomServer.StartAsync();
        var added = Enumerable.Range(0, 400).Select(i => new ContactRecord($"page-{i:D3}", $"page-{i:D3}@example.com", null, "user")).ToList();
        server.State.AddContacts(added);
        server.Faults.PadJsonAnswersToBytes = 8L * 1024 * 1024;
        using var client = Connect(server);

        var listed = new List<string>();
        string? cursor = null;
        do
        {
            var page = await client.ListContactsAsync(cursor, null, CancellationToken.None);
            listed.AddRange(page.Contacts.Select(c => c.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        var found = await client.SearchContactsAsync(ContactSearchField.Email, added.Take(10).Select(c => c.Email!).ToList(), null, CancellationToken.None);

        Assert.Superset(added.Select(c => c.Id).ToHashSet(), listed.ToHashSet());
        Assert.True(server.CallCount("GET /contacts") >= 3, "the listing took several pages");
        Assert.Equal(added.Take(10).Select(c => c.Id), found.Select(c => c.Id).Order(StringComparer.Ordinal));
        // A page's 150 contacts keep about 45 KB of JSON: 64 KiB beside the window, the 8 MiB of padding nothing.
        Assert.InRange(client.Answers.PeakBufferedBytes, 1, StreamingJsonFilter.MaxWindowBytes + (64 * 1024));
        Assert.Equal(0, client.Answers.BufferedBytes);
    }

    [Fact]
    public async Task Answers_whose_JSON_itself_is_large_are_held_one_at_a_time_within_the_bound()
    {
        const int calls = 4;
        await using var server = await FakeIntercomServer.StartAsync();
        // About 3 MB of subscription types: JSON the module keeps, not padding.
        for (var i = 0; i < 12_000; i++)
            server.State.AddSubscriptionType($"9{i:D5}", $"Type {i} " + new string('n', 150), description: new string('d', 60));
        using var client = Connect(server);

        var lists = await Task.WhenAll(Enumerable.Range(0, calls).Select(_ => client.ListSubscriptionTypesAsync(null, CancellationToken.None)));

        Assert.All(lists, list => Assert.True(list.Count > 12_000));
        var peak = client.Answers.PeakBufferedBytes;
        Assert.InRange(peak, 2L * 1024 * 1024, AnswerMemoryGate.MostHeldBytes(calls, client.Options.MaxResponseBytes));
        Assert.Equal(0, client.Answers.BufferedBytes);
    }

    [Fact]
    public async Task Concurrent_large_answers_are_held_one_at_a_time_even_when_read_at_the_same_moment()
    {
        const int calls = 8;
        // 1 MiB of {"id":"…"} items each: all of it kept, so each answer needs the large-answer slot.
        var items = string.Join(",", Enumerable.Range(0, 1024 * 1024 / 16).Select(i => $$"""{"id":"{{i:D7}}"}"""));
        var body = Encoding.UTF8.GetBytes($$"""{"type":"list","data":[{{items}}]}""");
        using var together = new CountdownEvent(calls);
        var step = new ScriptedHandler.Step((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new GeneratedBody(body.Length, prefix: Encoding.UTF8.GetString(body), together: together)),
        }));
        using var h = new EngineHarness(options => options.MaxResponseBytes = 2 * 1024 * 1024, step);

        var results = await Task.WhenAll(Enumerable.Range(0, calls).Select(_ =>
            Task.Run(() => h.Client.ListSubscriptionTypesAsync(h.Events, CancellationToken.None))));

        Assert.All(results, list => Assert.Equal(1024 * 1024 / 16, list.Count));
        // Two of these answers held at once (2 MiB of kept JSON's buffer and a window each) would pass the bound.
        Assert.InRange(h.Client.Answers.PeakBufferedBytes, body.Length, AnswerMemoryGate.MostHeldBytes(calls, h.Options.MaxResponseBytes));
        Assert.Equal(0, h.Client.Answers.BufferedBytes);
    }

    [Fact]
    public async Task Answers_padded_with_white_space_hold_a_window_each()
    {
        const int calls = 8;
        using var together = new CountdownEvent(calls);
        var step = new ScriptedHandler.Step((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new GeneratedBody(2 * 1024 * 1024, prefix: """{"type":"list","data":[]}""", together: together)),
        }));
        using var h = new EngineHarness(options => options.MaxResponseBytes = 4 * 1024 * 1024, step);

        var results = await Task.WhenAll(Enumerable.Range(0, calls).Select(_ =>
            Task.Run(() => h.Client.ListSubscriptionTypesAsync(h.Events, CancellationToken.None))));

        Assert.All(results, Assert.Empty);
        Assert.InRange(h.Client.Answers.PeakBufferedBytes, 1, calls * PaddedAnswerBytes);
    }

    [Fact]
    public async Task An_answer_that_breaks_off_or_outgrows_the_cap_inside_its_padding_fails_as_before_and_gives_its_bytes_back()
    {
        const string padded = """{"type":"subscription","id":"108","padding":" """;
        using var cutOff = new EngineHarness(options => options.MaxRetries = 0,
            Body(new GeneratedBody(10_000_000, failAfter: 3_000_000, prefix: padded)));
        var error = await cutOff.Fails((client, events, ct) => client.AttachSubscriptionAsync("c1", "108", "opt_in", events, ct));
        Assert.Equal(IntercomErrorKind.ConnectionFailed, error.Kind);
        Assert.Contains("HTTP 200 answer broke off after 3000000 bytes", error.Message);
        Assert.Contains("may have applied the change", error.Message);
        Assert.InRange(cutOff.Client.Answers.PeakBufferedBytes, 1, PaddedAnswerBytes);
        Assert.Equal(0, cutOff.Client.Answers.BufferedBytes);

        var endless = new GeneratedBody(64L * 1024 * 1024, prefix: padded);
        using var tooLarge = new EngineHarness(options => { options.MaxRetries = 0; options.MaxResponseBytes = 4 * 1024 * 1024; }, Body(endless));
        error = await tooLarge.Fails((client, events, ct) => client.AttachSubscriptionAsync("c1", "108", "opt_in", events, ct));
        Assert.Equal(IntercomErrorKind.InvalidResponse, error.Kind);
        Assert.Contains("larger than 4 MiB", error.Message);
        Assert.True(endless.Served <= (4 * 1024 * 1024) + StreamingJsonFilter.MaxWindowBytes, $"read {endless.Served} bytes of a 4 MiB cap");
        Assert.InRange(tooLarge.Client.Answers.PeakBufferedBytes, 1, PaddedAnswerBytes);
        Assert.Equal(0, tooLarge.Client.Answers.BufferedBytes);
    }

    private static ScriptedHandler.Step Body(Stream body) =>
        (_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) });

    private static IntercomClient Connect(FakeIntercomServer server) =>
        new(new IntercomClientOptions(server.BaseUri) { MaxRetries = 0 }, EngineHarness.Secure(server.Token));
}
