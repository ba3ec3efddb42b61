using System.Text.Json;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>Contact objects and GET /contacts pages: the email flags, and the choice lists trusted only when whole.</summary>
public sealed class ContactJsonTests
{
    private static ContactConsentData Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return IntercomJson.ReadContactConsent(document.RootElement);
    }

    private static ApiResponse Answer(string body, string? requestId) =>
        new(200, "OK", "application/json", IntercomJson.Keep(System.Text.Encoding.UTF8.GetBytes(body)), requestId);

    private static string List(string ids, string extra) =>
        $$"""{"type":"list","data":[{{ids}}],"url":"/contacts/c1/subscriptions"{{extra}}}""";

    [Fact]
    public void Flags_and_whole_lists_are_read()
    {
        var contact = Read($$"""
            {"type":"contact","id":"c1","email":"a@b.c","external_id":"u-1","unsubscribed_from_emails":true,
             "has_hard_bounced":false,"marked_email_as_spam":true,
             "opted_in_subscription_types":{{List("""{"type":"subscription","id":"108"},{"id":110}""", ""","total_count":2,"has_more":false""")}},
             "opted_out_subscription_types":{{List("", ""","total_count":0,"has_more":false""")}}}
            """);

        Assert.Equal("c1", contact.Id);
        Assert.Equal("a@b.c", contact.Email);
        Assert.Equal("u-1", contact.ExternalId);
        Assert.True(contact.UnsubscribedFromEmails);
        Assert.False(contact.HasHardBounced);
        Assert.True(contact.MarkedEmailAsSpam);
        Assert.Equal(["108", "110"], contact.OptedIn!);
        Assert.Empty(contact.OptedOut!);
        Assert.True(contact.ChoicesComplete);
    }

    [Theory]
    [InlineData(""", "has_more": true, "total_count": 3""")]
    [InlineData(""", "total_count": 1""")]                        // has_more not said
    [InlineData(""", "has_more": false, "total_count": 2""")]     // fewer ids than the total
    [InlineData(""", "has_more": "false", "total_count": 1""")]   // not a boolean
    public void A_list_that_is_not_whole_is_not_trusted(string extra)
    {
        var contact = Read($$"""
            {"id":"c1","opted_in_subscription_types":{{List("""{"id":"108"}""", extra)}},
             "opted_out_subscription_types":{{List("", ""","total_count":0,"has_more":false""")}}}
            """);

        Assert.Null(contact.OptedIn);
        Assert.NotNull(contact.OptedOut);
        Assert.False(contact.ChoicesComplete);
    }

    [Fact]
    public void Missing_lists_and_flags_read_as_unknown_lists_and_false_flags()
    {
        var contact = Read("""{"id":"c1","opted_in_subscription_types":null}""");

        Assert.Null(contact.OptedIn);
        Assert.Null(contact.OptedOut);
        Assert.False(contact.UnsubscribedFromEmails);
        Assert.False(contact.HasHardBounced);
    }

    [Fact]
    public void A_page_gives_its_contacts_the_next_cursor_and_the_total()
    {
        var response = Answer("""
            {"type":"list","data":[{"id":"c1"},{"id":"c2"}],"total_count":302,
             "pages":{"type":"pages","page":1,"per_page":150,"next":{"page":2,"starting_after":"WzE1MF0="}}}
            """, "req-1");

        var page = IntercomJson.ReadContactPage(response);

        Assert.Equal(["c1", "c2"], page.Contacts.Select(c => c.Id));
        Assert.Equal("WzE1MF0=", page.NextCursor);
        Assert.Equal(302, page.TotalCount);
    }

    [Fact]
    public void The_last_page_has_no_cursor_and_a_contact_without_an_id_is_an_invalid_response()
    {
        var last = IntercomJson.ReadContactPage(Answer("""{"type":"list","data":[],"pages":{"next":null}}""", null));
        Assert.Null(last.NextCursor);
        Assert.Null(last.TotalCount);

        var bad = Answer("""{"type":"list","data":[{"email":"x@y.z"}]}""", "req-2");
        var error = Assert.Throws<IntercomApiException>(() => IntercomJson.ReadContactPage(bad));
        Assert.Equal(IntercomErrorKind.InvalidResponse, error.Kind);
    }

    [Fact]
    public void The_requests_escape_the_id_and_the_cursor_and_ask_for_150_a_page()
    {
        Assert.Equal("contacts/a%20b", IntercomRequests.GetContact("a b").Path);
        Assert.Equal("contacts?per_page=150", IntercomRequests.ListContacts(null).Path);
        Assert.Equal("contacts?per_page=150&starting_after=a%2Bb%3D%26c", IntercomRequests.ListContacts("a+b=&c").Path);
    }
}
