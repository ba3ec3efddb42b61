using System.Net.Http;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// One call to Intercom as data: method, path relative to the base URI, JSON body, and which resources
/// it names, which is what a 404 from it is about.
/// </summary>
internal sealed record IntercomRequest(HttpMethod Method, string Path, string? JsonBody, NotFoundMeaning NotFound)
{
    /// <summary>"POST /contacts/…/subscriptions", as messages name the call.</summary>
    public string Operation => Method.Method + " /" + Path;

    /// <summary>Attach and detach change a contact; a search is a POST that changes nothing.</summary>
    public bool ChangesState => Method != HttpMethod.Get && !Path.EndsWith("/search", StringComparison.Ordinal);
}
