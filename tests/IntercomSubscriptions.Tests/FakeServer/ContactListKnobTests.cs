using System.Net;
using System.Text.Json;
using FakeIntercom;

namespace IntercomSubscriptions.Tests.FakeServer;

/// <summary>Issue 13's contact endpoints: GET /contacts paged by cursor, contact objects with the subscription-type lists and email flags.</summary>
public sealed class ContactListKnobTests : FakeServerFixture
{
    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await JsonOf(response);
    }

    private static string[] ListIds(JsonElement contact, string list) =>
        contact.GetProperty(list).GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToArray();

    [Fact]
    public async Task GET_contacts_pages_through_thousands_of_contacts_by_cursor_each_once_in_order()
    {
        const int seeded = 3000;
        Server.State.AddContacts(Enumerable.Range(0, seeded).Select(i => new ContactRecord($"bulk{i:D5}", $"bulk{i}@example.com", null, "user")));
        var expected = new[] { Ada, Grace, SharedEmailUser, SharedEmailLead }.Concat(Enumerable.Range(0, seeded).Select(i => $"bulk{i:D5}")).ToList();

        var seen = new List<string>();
        string? cursor = null;
        for (var pages = 0; pages < 100; pages++)
        {
            var body = await GetJsonAsync("contacts?per_page=150" + (cursor is null ? "" : "&starting_after=" + Uri.EscapeDataString(cursor)));
            Assert.Equal(expected.Count, body.GetProperty("total_count").GetInt32());
            seen.AddRange(body.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString()!));
            if (!body.GetProperty("pages").TryGetProperty("next", out var next)) break;
            cursor = next.GetProperty("starting_after").GetString();
        }

        Assert.Equal(expected, seen);
        Assert.Equal((expected.Count + 149) / 150, Server.CallCount("GET /contacts"));
    }

    [Theory]
    [InlineData("contacts?per_page=151")]
    [InlineData("contacts?per_page=0")]
    [InlineData("contacts?starting_after=not-a-cursor")]
    public async Task Out_of_range_paging_is_refused(string path)
    {
        using var response = await Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_default_page_is_fifty()
    {
        Server.State.AddContacts(Enumerable.Range(0, 60).Select(i => new ContactRecord($"p{i}", null, null, "lead")));
        var body = await GetJsonAsync("contacts");
        Assert.Equal(50, body.GetProperty("data").GetArrayLength());
        Assert.Equal(2, body.GetProperty("pages").GetProperty("total_pages").GetInt32());
    }

    [Fact]
    public async Task A_contact_carries_its_explicit_choices_in_the_two_lists()
    {
        Server.State.SetChoice(Ada, Newsletters, "opt_in");
        var ada = await GetJsonAsync($"contacts/{Ada}");
        Assert.Equal(new[] { ProductUpdates }, ListIds(ada, "opted_out_subscription_types"));
        Assert.Equal(new[] { Newsletters }, ListIds(ada, "opted_in_subscription_types"));
        var optedIn = ada.GetProperty("opted_in_subscription_types");
        Assert.False(optedIn.GetProperty("has_more").GetBoolean());
        Assert.Equal(1, optedIn.GetProperty("total_count").GetInt32());
        Assert.Equal($"/contacts/{Ada}/subscriptions", optedIn.GetProperty("url").GetString());
        Assert.Equal("subscription", optedIn.GetProperty("data")[0].GetProperty("type").GetString());

        // The same object in the list and in search results.
        var listed = (await GetJsonAsync("contacts")).GetProperty("data")[0];
        Assert.Equal(new[] { Newsletters }, ListIds(listed, "opted_in_subscription_types"));
    }

    [Fact]
    public async Task A_contacts_lists_can_say_has_more_or_be_missing()
    {
        Server.State.SetChoice(Grace, Newsletters, "opt_in");
        Server.State.SetChoice(Grace, SmsOffers, "opt_in");
        Server.State.SetSubscriptionListShape(Grace, SubscriptionListShape.HasMore);
        var grace = await GetJsonAsync($"contacts/{Grace}");
        var optedIn = grace.GetProperty("opted_in_subscription_types");
        Assert.True(optedIn.GetProperty("has_more").GetBoolean());
        Assert.Equal(2, optedIn.GetProperty("total_count").GetInt32());
        Assert.Equal(new[] { Newsletters }, ListIds(grace, "opted_in_subscription_types"));

        Server.State.SetSubscriptionListShape(Grace, SubscriptionListShape.Missing);
        grace = await GetJsonAsync($"contacts/{Grace}");
        Assert.False(grace.TryGetProperty("opted_in_subscription_types", out _));
        Assert.False(grace.TryGetProperty("opted_out_subscription_types", out _));

        Server.State.SetSubscriptionListShape(Grace, SubscriptionListShape.Complete);
        Assert.Equal(new[] { Newsletters, SmsOffers }, ListIds(await GetJsonAsync($"contacts/{Grace}"), "opted_in_subscription_types"));
    }

    [Fact]
    public async Task GET_contact_reports_the_email_flags_and_404s_an_unknown_contact()
    {
        var before = await GetJsonAsync($"contacts/{Grace}");
        Assert.False(before.GetProperty("unsubscribed_from_emails").GetBoolean());
        Assert.False(before.GetProperty("has_hard_bounced").GetBoolean());
        Assert.False(before.GetProperty("marked_email_as_spam").GetBoolean());

        Server.State.SetEmailStatus(Grace, unsubscribedFromEmails: true, markedEmailAsSpam: true);
        var after = await GetJsonAsync($"contacts/{Grace}");
        Assert.True(after.GetProperty("unsubscribed_from_emails").GetBoolean());
        Assert.False(after.GetProperty("has_hard_bounced").GetBoolean());
        Assert.True(after.GetProperty("marked_email_as_spam").GetBoolean());
        Assert.Equal(GraceEmail, after.GetProperty("email").GetString());

        using var unknown = await Http.GetAsync("contacts/nobody");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("User Not Found", (await JsonOf(unknown)).GetProperty("errors")[0].GetProperty("message").GetString());
    }
}
