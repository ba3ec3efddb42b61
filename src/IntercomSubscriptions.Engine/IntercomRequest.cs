using System.Net.Http;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// One call to Intercom as data: method, path relative to the base URI, JSON body, and what a 404
/// means for this call (a missing contact is told apart by Intercom's own message).
/// </summary>
internal sealed record IntercomRequest(HttpMethod Method, string Path, string? JsonBody, IntercomErrorKind NotFoundMeans)
{
    /// <summary>"POST /contacts/…/subscriptions", as messages name the call.</summary>
    public string Operation => Method.Method + " /" + Path;

    /// <summary>Attach and detach change a contact; a search is a POST that changes nothing.</summary>
    public bool ChangesState => Method != HttpMethod.Get && !Path.EndsWith("/search", StringComparison.Ordinal);
}
