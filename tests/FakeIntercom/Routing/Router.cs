using FakeIntercom.Handlers;
using FakeIntercom.Pipeline;

namespace FakeIntercom.Routing;

/// <summary>Stage 7: the endpoints the fake serves; anything else is Intercom's 404 "Resource Not Found".</summary>
internal sealed class Router : IRequestStage
{
    private readonly Route[] _routes;

    public Router(FakeIntercomState state, FaultSettings faults)
    {
        var types = new SubscriptionTypesHandler(state);
        var subscriptions = new ContactSubscriptionsHandler(state, faults);
        var search = new ContactSearchHandler(state, faults);
        var contacts = new ContactsHandler(state, faults);
        // First match wins: the literal /contacts/search before any /contacts/{id}.
        _routes =
        [
            new("GET", "/subscription_types", (x, _) => types.ListAsync(x)),
            new("POST", "/contacts/search", (x, _) => search.SearchAsync(x)),
            new("GET", "/contacts", (x, _) => contacts.ListAsync(x)),
            new("GET", "/contacts/{id}", (x, a) => contacts.GetAsync(x, a[0])),
            new("GET", "/contacts/{id}/subscriptions", (x, a) => subscriptions.ListAsync(x, a[0])),
            new("POST", "/contacts/{id}/subscriptions", (x, a) => subscriptions.AttachAsync(x, a[0])),
            new("DELETE", "/contacts/{id}/subscriptions/{typeId}", (x, a) => subscriptions.DetachAsync(x, a[0], a[1])),
        ];
    }

    /// <summary>The endpoint a request is for ("GET /contacts/{id}/subscriptions"), or "METHOD /raw/path" when none serves it.</summary>
    public string EndpointName(string method, string rawPath)
    {
        var segments = Segments(rawPath);
        foreach (var route in _routes)
            if (route.Match(method, segments) is not null) return route.Name;
        return method + " " + rawPath;
    }

    public async Task<bool> TryAnswerAsync(FakeExchange exchange)
    {
        var segments = Segments(exchange.RawPath);
        foreach (var route in _routes)
        {
            if (route.Match(exchange.Method, segments) is not { } captured) continue;
            await route.Handle(exchange, captured).ConfigureAwait(false);
            return true;
        }
        await exchange.RespondErrorAsync(404, "not_found", "Resource Not Found").ConfigureAwait(false);
        return true;
    }

    /// <summary>The path's segments, percent-decoded, without a leading or trailing slash.</summary>
    private static string[] Segments(string rawPath)
    {
        var trimmed = rawPath.StartsWith('/') ? rawPath[1..] : rawPath;
        if (trimmed.EndsWith('/')) trimmed = trimmed[..^1];
        return trimmed.Split('/').Select(Unescape).ToArray();
    }

    private static string Unescape(string segment)
    {
        try { return Uri.UnescapeDataString(segment); }
        catch (UriFormatException) { return segment; }
    }
}
