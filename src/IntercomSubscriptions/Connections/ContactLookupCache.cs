using System.Collections.Concurrent;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Emails and external ids already resolved to contacts, per connection: a CSV often names the
/// same person on several rows, and a search costs a request of the same rate-limit budget.
/// A failed lookup is forgotten, so the next row asks again.
/// </summary>
internal sealed class ContactLookupCache
{
    private readonly IntercomClient _client;
    private readonly ConcurrentDictionary<(ContactSearchField Field, string Value), Lazy<Task<IReadOnlyList<ContactData>>>> _lookups = new();

    public ContactLookupCache(IntercomClient client) => _client = client;

    public async Task<IReadOnlyList<ContactData>> FindAsync(ContactSearchField field, string value, IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        // Emails compare case-insensitively in Intercom's search; external ids are exact.
        var key = (field, field == ContactSearchField.Email ? value.ToLowerInvariant() : value);
        var lookup = _lookups.GetOrAdd(key, _ => new Lazy<Task<IReadOnlyList<ContactData>>>(
            () => _client.SearchContactsAsync(field, value, events, cancellationToken)));
        try
        {
            return await lookup.Value.ConfigureAwait(false);
        }
        catch
        {
            _lookups.TryRemove(key, out _);
            throw;
        }
    }
}
