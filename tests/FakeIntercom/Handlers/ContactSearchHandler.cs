using System.Text.Json;
using System.Text.Json.Nodes;
using FakeIntercom.Json;
using FakeIntercom.Pipeline;
using FakeIntercom.Routing;

namespace FakeIntercom.Handlers;

/// <summary>POST /contacts/search: a single <c>email</c> or <c>external_id</c> equality query, paged.</summary>
internal sealed class ContactSearchHandler(FakeIntercomState state)
{
    private const int DefaultPerPage = 50;
    private const int MaxPerPage = 150;

    public async Task SearchAsync(FakeExchange exchange)
    {
        Task Bad(string message) => exchange.RespondErrorAsync(400, "parameter_invalid", message);

        if (RequestBody.ParseObject(exchange.Body) is not { } root)
        {
            await Bad("Invalid JSON body").ConfigureAwait(false);
            return;
        }
        if (!root.TryGetProperty("query", out var queryEl) || queryEl.ValueKind != JsonValueKind.Object)
        {
            await Bad("query is missing or invalid").ConfigureAwait(false);
            return;
        }
        var field = queryEl.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        var op = queryEl.TryGetProperty("operator", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
        var value = queryEl.TryGetProperty("value", out var vEl) && vEl.ValueKind == JsonValueKind.String ? vEl.GetString() : null;
        if (field is not ("email" or "external_id"))
        {
            await Bad("query.field must be email or external_id").ConfigureAwait(false);
            return;
        }
        if (op != "=")
        {
            await Bad("query.operator must be =").ConfigureAwait(false);
            return;
        }
        if (value is null)
        {
            await Bad("query.value must be a string").ConfigureAwait(false);
            return;
        }

        var perPage = DefaultPerPage;
        var offset = 0;
        if (root.TryGetProperty("pagination", out var pag) && pag.ValueKind != JsonValueKind.Null)
        {
            if (pag.ValueKind != JsonValueKind.Object)
            {
                await Bad("pagination must be an object").ConfigureAwait(false);
                return;
            }
            if (pag.TryGetProperty("per_page", out var pp) && pp.ValueKind != JsonValueKind.Null)
            {
                if (pp.ValueKind != JsonValueKind.Number || !pp.TryGetInt32(out perPage) || perPage < 1 || perPage > MaxPerPage)
                {
                    await Bad($"per_page must be between 1 and {MaxPerPage}").ConfigureAwait(false);
                    return;
                }
            }
            if (pag.TryGetProperty("starting_after", out var sa) && sa.ValueKind != JsonValueKind.Null)
            {
                if (sa.ValueKind != JsonValueKind.String || !PageCursor.TryDecode(sa.GetString()!, out offset))
                {
                    await Bad("starting_after is invalid").ConfigureAwait(false);
                    return;
                }
            }
        }

        var matches = field == "email"
            ? state.ContactsWithEmail(value).ToList()
            : state.Contacts.Where(c => c.ExternalId is not null && string.Equals(c.ExternalId, value, StringComparison.Ordinal)).ToList();

        var total = matches.Count;
        var totalPages = (total + perPage - 1) / perPage;
        var data = new JsonArray();
        foreach (var c in matches.Skip(offset).Take(perPage))
        {
            data.Add(new JsonObject
            {
                ["type"] = "contact",
                ["id"] = c.Id,
                ["workspace_id"] = IntercomJson.WorkspaceId,
                ["external_id"] = c.ExternalId,
                ["role"] = c.Role,
                ["email"] = c.Email,
            });
        }
        var pages = new JsonObject
        {
            ["type"] = "pages",
            ["page"] = offset / perPage + 1,
            ["per_page"] = perPage,
            ["total_pages"] = totalPages,
        };
        var nextOffset = offset + perPage;
        if (nextOffset < total)
            pages["next"] = new JsonObject { ["per_page"] = perPage, ["starting_after"] = PageCursor.Encode(nextOffset) };

        await exchange.RespondJsonAsync(200, new JsonObject
        {
            ["type"] = "list",
            ["data"] = data,
            ["total_count"] = total,
            ["pages"] = pages,
        }).ConfigureAwait(false);
    }
}
