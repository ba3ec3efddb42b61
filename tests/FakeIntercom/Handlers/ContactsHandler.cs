using System.Globalization;
using System.Text.Json.Nodes;
using FakeIntercom.Json;
using FakeIntercom.Pipeline;
using FakeIntercom.Routing;

namespace FakeIntercom.Handlers;

/// <summary>GET /contacts (paged by <c>per_page</c> and the <c>starting_after</c> cursor) and GET /contacts/{id}.</summary>
internal sealed class ContactsHandler(FakeIntercomState state, FaultSettings faults)
{
    public const int DefaultPerPage = 50;
    public const int MaxPerPage = 150;

    public async Task ListAsync(FakeExchange exchange)
    {
        var query = exchange.Http.Request.Query;
        var perPage = DefaultPerPage;
        if (query.TryGetValue("per_page", out var pp)
            && (!int.TryParse(pp.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out perPage) || perPage < 1 || perPage > MaxPerPage))
        {
            await exchange.RespondErrorAsync(400, "parameter_invalid", $"per_page must be between 1 and {MaxPerPage}").ConfigureAwait(false);
            return;
        }
        var offset = 0;
        if (query.TryGetValue("starting_after", out var sa) && !PageCursor.TryDecode(sa.ToString(), out offset))
        {
            await exchange.RespondErrorAsync(400, "parameter_invalid", "starting_after is invalid").ConfigureAwait(false);
            return;
        }

        var paging = faults.GetContactPagingFaults();
        offset = ContactList.Start(offset, paging);
        var (page, total) = state.ContactPage(offset, perPage);
        await exchange.RespondJsonAsync(200, ContactList.Of(page.Select(IntercomJson.Contact), total, offset, perPage, paging, faults.NextCursorNonce)).ConfigureAwait(false);
    }

    public async Task GetAsync(FakeExchange exchange, string contactId)
    {
        if (state.FindContact(contactId) is not { } contact)
        {
            await exchange.RespondErrorAsync(404, "not_found", "User Not Found").ConfigureAwait(false);
            return;
        }
        await exchange.RespondJsonAsync(200, IntercomJson.Contact(contact)).ConfigureAwait(false);
    }
}
