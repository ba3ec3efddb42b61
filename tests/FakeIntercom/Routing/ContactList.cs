using System.Text.Json.Nodes;

namespace FakeIntercom.Routing;

/// <summary>
/// A page of a contact list (GET /contacts, search results): the list, total_count, and cursor pages
/// with <c>next</c> while more remain; or paged wrongly, as <see cref="ContactPagingFaults"/> say.
/// </summary>
internal static class ContactList
{
    /// <summary>The offset to list from: the cursor's, or the first page's when the faults say the cursor is ignored.</summary>
    public static int Start(int cursorOffset, ContactPagingFaults faults) => faults.IgnoreCursor ? 0 : cursorOffset;

    public static JsonObject Of(IEnumerable<JsonNode> pageItems, int total, int offset, int perPage, ContactPagingFaults faults, Func<long> nonce)
    {
        var data = new JsonArray();
        foreach (var item in pageItems) data.Add(item);
        var page = offset / perPage + 1;
        var reportedTotal = faults.TotalCount ?? total;
        var pages = new JsonObject
        {
            ["type"] = "pages",
            ["page"] = page,
            ["per_page"] = perPage,
            ["total_pages"] = (reportedTotal + perPage - 1) / perPage,
        };
        int? nextOffset = offset + perPage < total ? offset + perPage : null;
        if (faults.Loop is { } loop && page == loop.From)
            nextOffset = (loop.To - 1) * perPage;
        if (nextOffset is { } next)
        {
            var cursor = PageCursor.Encode(next, faults.FreshCursors ? nonce() : null);
            pages["next"] = new JsonObject { ["page"] = next / perPage + 1, ["per_page"] = perPage, ["starting_after"] = cursor };
        }
        return new JsonObject
        {
            ["type"] = "list",
            ["data"] = data,
            ["total_count"] = reportedTotal,
            ["pages"] = pages,
        };
    }
}
