using System.Text.Json;
using FakeIntercom.Json;
using FakeIntercom.Pipeline;
using FakeIntercom.Routing;

namespace FakeIntercom.Handlers;

/// <summary>POST /contacts/search: a <see cref="ContactSearchQuery"/>, its matches paged like GET /contacts.</summary>
internal sealed class ContactSearchHandler(FakeIntercomState state, FaultSettings faults)
{
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
        if (ContactSearchQuery.Parse(queryEl, faults.SearchFilterLimit, out var error) is not { } query)
        {
            await Bad(error).ConfigureAwait(false);
            return;
        }

        var perPage = ContactsHandler.DefaultPerPage;
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
                if (pp.ValueKind != JsonValueKind.Number || !pp.TryGetInt32(out perPage) || perPage < 1 || perPage > ContactsHandler.MaxPerPage)
                {
                    await Bad($"per_page must be between 1 and {ContactsHandler.MaxPerPage}").ConfigureAwait(false);
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

        var paging = faults.GetContactPagingFaults();
        offset = ContactList.Start(offset, paging);
        var matches = state.FindContacts(query.Keys, query.Matches);
        var page = matches.Skip(offset).Take(perPage).Select(IntercomJson.Contact);
        await exchange.RespondJsonAsync(200, ContactList.Of(page, matches.Count, offset, perPage, paging, faults.NextCursorNonce)).ConfigureAwait(false);
    }
}
