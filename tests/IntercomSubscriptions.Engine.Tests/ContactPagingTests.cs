using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>Following a contact list's pages so that the listing always ends, each contact once.</summary>
public sealed class ContactPagingTests
{
    private static string[] Ids(string prefix, int from, int count) => Enumerable.Range(from, count).Select(i => $"{prefix}{i}").ToArray();

    private static List<string> Take(ContactPaging paging, string[] ids, string? next, long? total = null) =>
        paging.Take(ids, id => id, next, total);

    [Fact]
    public void A_listing_that_ends_hands_on_every_contact_and_names_each_next_page()
    {
        var paging = new ContactPaging("the contact list");

        Assert.Equal(Ids("c", 0, 3), Take(paging, Ids("c", 0, 3), "A", total: 7));
        Assert.Equal("A", paging.Next);
        Assert.Equal(Ids("c", 3, 3), Take(paging, Ids("c", 3, 3), "B", total: 7));
        Assert.Equal(Ids("c", 6, 1), Take(paging, Ids("c", 6, 1), null, total: 7));

        Assert.Null(paging.Next);
        Assert.Null(paging.Problem);
        Assert.Equal((3, 7L, 0L), (paging.Pages, paging.Listed, paging.Repeated));
        Assert.Throws<InvalidOperationException>(() => Take(paging, Ids("c", 0, 1), null));
    }

    [Fact]
    public void Contacts_listed_again_are_left_out_and_counted_while_the_listing_goes_on()
    {
        var paging = new ContactPaging("the contact list");
        string[] firstPage = ["a", "b", "a"], secondPage = ["b", "c"], secondPageNew = ["c"];
        Take(paging, firstPage, "A");

        var second = Take(paging, secondPage, null);

        Assert.Equal(secondPageNew, second);
        Assert.Equal((3L, 2L), (paging.Listed, paging.Repeated));
        Assert.Null(paging.Problem);
    }

    [Fact]
    public void Cursors_that_go_round_are_stopped_before_a_page_is_read_twice()
    {
        var paging = new ContactPaging("the contact list");
        Take(paging, Ids("c", 0, 2), "A");
        Take(paging, Ids("c", 2, 2), "B");

        var third = Take(paging, Ids("c", 4, 2), "A");

        Assert.Equal(Ids("c", 4, 2), third);
        Assert.Null(paging.Next);
        Assert.Equal("Intercom's page 3 of the contact list named as the next page the cursor of page 2, which was read already: "
            + "its cursors go round (page 2 → … → page 3 → page 2); the listing was ended there, after 6 different contacts", paging.Problem);
        var failure = paging.Failure();
        Assert.Equal(IntercomErrorKind.InvalidResponse, failure.Kind);
        Assert.Equal(paging.Problem, failure.Message);
    }

    [Fact]
    public void A_page_that_names_its_own_cursor_is_stopped_at_once()
    {
        var paging = new ContactPaging("a contact search");
        Take(paging, Ids("c", 0, 2), "A");
        Take(paging, Ids("c", 2, 2), "A");

        Assert.Null(paging.Next);
        Assert.Equal("Intercom's page 2 of a contact search named its own cursor as the next page; the listing was ended there, after 4 different contacts", paging.Problem);
    }

    [Fact]
    public void The_same_contacts_under_a_new_cursor_are_stopped_by_the_contacts()
    {
        var paging = new ContactPaging("the contact list");
        Take(paging, Ids("c", 0, 150), "A");

        Assert.Empty(Take(paging, Ids("c", 0, 150), "fresh-1"));

        Assert.Null(paging.Next);
        Assert.Equal("Intercom answered page 2 of the contact list with 150 contacts, all listed already, and named yet another page: "
            + "its paging goes round; the listing was ended there, after 150 different contacts", paging.Problem);
        Assert.Equal(150, paging.Repeated);
    }

    [Fact]
    public void An_empty_page_that_names_a_next_one_ends_the_listing_and_an_empty_last_page_does_not()
    {
        var ends = new ContactPaging("the contact list");
        Take(ends, Array.Empty<string>(), null, total: 0);
        Assert.Null(ends.Problem);

        var loops = new ContactPaging("the contact list");
        Take(loops, Ids("c", 0, 2), "A");
        Take(loops, Array.Empty<string>(), "B");
        Assert.Equal("Intercom answered page 2 of the contact list with no contacts, yet named a next page; the listing was ended there, after 2 different contacts", loops.Problem);
    }

    [Fact]
    public void More_different_contacts_than_the_total_count_allows_end_the_listing()
    {
        var paging = new ContactPaging("the contact list");
        for (var page = 0; page < 6; page++)
        {
            Take(paging, Ids("c", page * 150, 150), $"cursor-{page}", total: 10);
            Assert.Null(paging.Problem);
        }

        Take(paging, Ids("c", 900, 150), "cursor-6", total: 10);

        // 10, and room for 1,000 added meanwhile: 1,010; the seventh page brings it to 1,050.
        Assert.Equal("Intercom has listed 1,050 different contacts in the contact list, more than its total_count of 10 "
            + "(with room for 1,000 contacts added meanwhile); the listing was ended there", paging.Problem);
        Assert.Equal(7, paging.Pages);
    }

    [Fact]
    public void More_pages_than_the_total_count_takes_end_the_listing_though_each_brings_something_new()
    {
        var paging = new ContactPaging("the contact list");
        var old = Ids("c", 0, 149);
        Take(paging, Ids("c", 0, 150), "cursor-0", total: 1000);
        var pages = 1;
        // Each page one new contact among old ones: the contacts alone would take 850 more pages to tell.
        while (paging.Problem is null && pages < 100)
        {
            Take(paging, old.Append($"new{pages}").ToArray(), $"cursor-{pages}", total: 1000);
            pages++;
        }

        // 1,000 contacts and room for 1,000 more take 14 pages of 150; two more are allowed.
        Assert.Equal(16, paging.Pages);
        Assert.Equal("Intercom has sent 16 pages of the contact list, more than its total_count of 1,000 "
            + "(with room for 1,000 contacts added meanwhile) takes at 150 a page; the listing was ended there, after 165 different contacts", paging.Problem);
    }

    [Fact]
    public void A_large_listing_within_its_total_count_is_followed_to_its_end()
    {
        var paging = new ContactPaging("the contact list");
        const int total = 100_000;
        for (var page = 0; page * 150 < total; page++)
        {
            var count = Math.Min(150, total - page * 150);
            Take(paging, Ids("c", page * 150, count), (page + 1) * 150 < total ? $"cursor-{page}" : null, total);
            Assert.Null(paging.Problem);
        }

        Assert.Equal(total, paging.Listed);
        Assert.Equal(0, paging.Repeated);
    }
}
