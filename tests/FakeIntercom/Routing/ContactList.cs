using System.Text.Json.Nodes;

namespace FakeIntercom.Routing;

/// <summary>A page of a contact list (GET /contacts, search results): the list, total_count, and cursor pages with <c>next</c> while more remain.</summary>
internal static class ContactList
{
    public static JsonObject Of(IEnumerable<JsonNode> pageItems, int total, int offset, int perPage)
    {
        var data = new JsonArray();
        foreach (var item in pageItems) data.Add(item);
        var page = offset / perPage + 1;
        var pages = new JsonObject
        {
            ["type"] = "pages",
            ["page"] = page,
            ["per_page"] = perPage,
            ["total_pages"] = (total + perPage - 1) / perPage,
        };
        var nextOffset = offset + perPage;
        if (nextOffset < total)
            pages["next"] = new JsonObject { ["page"] = page + 1, ["per_page"] = perPage, ["starting_after"] = PageCursor.Encode(nextOffset) };
        return new JsonObject
        {
            ["type"] = "list",
            ["data"] = data,
            ["total_count"] = total,
            ["pages"] = pages,
        };
    }
}
