using System.Net;
using System.Text.Json;
using FakeIntercom;

namespace IntercomSubscriptions.Tests.FakeServer;

/// <summary>The knobs that make contact lists page wrongly: loops back, an ignored cursor, fresh cursor names, a false total_count.</summary>
public sealed class ContactPagingKnobTests : FakeServerFixture
{
    private const int Seeded = 596; // with the sample's four, 600: four pages of 150

    private void Seed() => Server.State.AddContacts(Enumerable.Range(0, Seeded).Select(i => new ContactRecord($"pg{i:D4}", $"pg{i}@example.com", null, "user")));

    /// <summary>Follows pages.next from the first page, at most <paramref name="pages"/> pages: (ids of each page, the cursor it named, its total_count).</summary>
    private async Task<List<(string[] Ids, string? Next, int Total)>> WalkAsync(int pages, string path = "contacts?per_page=150")
    {
        var walked = new List<(string[], string?, int)>();
        string? cursor = null;
        for (var i = 0; i < pages; i++)
        {
            using var response = await Http.GetAsync(path + (cursor is null ? "" : "&starting_after=" + Uri.EscapeDataString(cursor)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await JsonOf(response);
            cursor = body.GetProperty("pages").TryGetProperty("next", out var next) ? next.GetProperty("starting_after").GetString() : null;
            walked.Add((body.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToArray(), cursor, body.GetProperty("total_count").GetInt32()));
            if (cursor is null) break;
        }
        return walked;
    }

    [Fact]
    public async Task A_loop_from_page_three_to_page_two_goes_round_for_ever_with_the_same_cursors()
    {
        Seed();
        Server.Faults.LoopContactPages(fromPage: 3, toPage: 2);

        var walked = await WalkAsync(7);

        Assert.Equal(7, walked.Count);
        Assert.Equal(walked[1].Ids, walked[3].Ids);
        Assert.Equal(walked[2].Ids, walked[4].Ids);
        Assert.NotEqual(walked[1].Ids, walked[2].Ids);
        // Cursors A (page 2) and B (page 3): page 2 names B, page 3 names A again.
        Assert.Equal(walked[0].Next, walked[2].Next);
        Assert.Equal(walked[1].Next, walked[3].Next);
        Assert.Equal(7, Server.CallCount("GET /contacts"));

        Server.Faults.Reset();
        Assert.Equal(4, (await WalkAsync(10)).Count);
    }

    [Fact]
    public async Task A_loop_on_the_last_page_names_a_cursor_where_none_would_be()
    {
        Seed();
        Server.Faults.LoopContactPages(fromPage: 4, toPage: 4);

        var walked = await WalkAsync(6);

        Assert.Equal(6, walked.Count);
        Assert.All(walked.Skip(3), page => Assert.Equal(walked[3].Ids, page.Ids));
        Assert.Equal(walked[2].Next, walked[3].Next);
    }

    [Fact]
    public async Task An_ignored_cursor_gives_the_first_page_again_and_fresh_cursors_never_repeat()
    {
        Seed();
        Server.Faults.ContactPagesIgnoreCursor = true;

        var ignored = await WalkAsync(3);
        Assert.All(ignored, page => Assert.Equal(ignored[0].Ids, page.Ids));
        Assert.Single(ignored.Select(p => p.Next).Distinct());

        Server.Faults.ContactPagesFreshCursors = true;
        var fresh = await WalkAsync(5);
        Assert.All(fresh, page => Assert.Equal(ignored[0].Ids, page.Ids));
        Assert.Equal(5, fresh.Select(p => p.Next).Distinct().Count());

        // Fresh cursors alone rename the pages but list them right.
        Server.Faults.ContactPagesIgnoreCursor = false;
        var renamed = await WalkAsync(10);
        Assert.Equal(4, renamed.Count);
        Assert.Equal(600, renamed.SelectMany(p => p.Ids).Distinct().Count());
    }

    [Fact]
    public async Task A_false_total_count_is_reported_while_every_contact_is_still_listed()
    {
        Seed();
        Server.Faults.ContactListTotalCount = 100;

        var walked = await WalkAsync(10);

        Assert.Equal(4, walked.Count);
        Assert.All(walked, page => Assert.Equal(100, page.Total));
        Assert.Equal(600, walked.SelectMany(p => p.Ids).Count());
    }

    [Fact]
    public async Task The_knobs_apply_to_contact_search_too()
    {
        Server.State.AddContacts(Enumerable.Range(0, 120).Select(i => new ContactRecord($"dup{i:D3}", "dup@example.com", null, "lead")));
        Server.Faults.LoopContactPages(fromPage: 2, toPage: 2);
        var query = """{"query":{"field":"email","operator":"=","value":"dup@example.com"},"pagination":{"per_page":50%CURSOR%}}""";

        var cursors = new List<string?>();
        string? cursor = null;
        for (var i = 0; i < 4; i++)
        {
            using var response = await PostJsonAsync("contacts/search", query.Replace("%CURSOR%", cursor is null ? "" : $",\"starting_after\":\"{cursor}\""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await JsonOf(response);
            Assert.Equal(120, body.GetProperty("total_count").GetInt32());
            cursor = body.GetProperty("pages").GetProperty("next").GetProperty("starting_after").GetString();
            cursors.Add(cursor);
        }

        // Page 2 names its own cursor for ever (the list has three pages).
        Assert.Equal(new[] { cursors[0], cursors[0], cursors[0] }, cursors.Skip(1));
    }
}
