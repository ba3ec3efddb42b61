using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Emails and external ids already resolved to contacts, per connection: a CSV often names the
/// same person on several rows, and a search costs a request of the same rate-limit budget.
/// Values not answered yet go to the <see cref="ContactLookupBatcher"/>, which shares a lookup
/// under way among everyone asking for the same value.
/// </summary>
/// <remarks>
/// Bounded, so memory stays flat for a million email rows: at most <see cref="MaxEntries"/> values
/// (about 200 bytes each), the oldest forgotten first. A value that matched contacts is kept for
/// <see cref="FoundLifetime"/>; one that matched none only for <see cref="NotFoundLifetime"/>, since a
/// new contact can take minutes to become searchable. A failed lookup is not kept.
/// </remarks>
internal sealed class ContactLookupCache : IDisposable
{
    internal const int MaxEntries = 10_000;
    internal static readonly TimeSpan FoundLifetime = TimeSpan.FromMinutes(15);
    internal static readonly TimeSpan NotFoundLifetime = TimeSpan.FromSeconds(30);

    private sealed record Entry(IReadOnlyList<ContactData> Found, DateTimeOffset ExpiresAt);

    private readonly object _gate = new();
    private readonly Dictionary<(ContactSearchField Field, string Value), Entry> _entries = new();
    private readonly Queue<(ContactSearchField Field, string Value)> _age = new();
    private readonly ContactLookupBatcher _batcher;
    // A plain clock, not TimeProvider: that type lives with the engine's dependencies, out of this assembly's reach.
    private readonly Func<DateTimeOffset> _now;

    public ContactLookupCache(IntercomClient client)
        : this(new ContactLookupBatcher(client.SearchContactsAsync), () => DateTimeOffset.UtcNow)
    {
    }

    internal ContactLookupCache(ContactLookupBatcher batcher, Func<DateTimeOffset> now)
    {
        _batcher = batcher;
        _now = now;
    }

    /// <summary>Values remembered now.</summary>
    internal int Count { get { lock (_gate) return _entries.Count; } }

    /// <param name="gather">How long the lookup may wait for others to share its search (zero: search now).</param>
    /// <param name="cancellationToken">Ends this caller's wait, and no one else's.</param>
    public async Task<IReadOnlyList<ContactData>> FindAsync(ContactSearchField field, string value, TimeSpan gather,
        IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        var key = (field, ContactLookupBatcher.Key(field, value));
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var known) && known.ExpiresAt > _now())
                return known.Found;
        }
        var found = await _batcher.FindAsync(field, value, gather, events, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (!_entries.ContainsKey(key)) _age.Enqueue(key);
            _entries[key] = new Entry(found, _now() + (found.Count == 0 ? NotFoundLifetime : FoundLifetime));
            Trim();
        }
        return found;
    }

    /// <summary>Ends the lookups under way: the connection is closed.</summary>
    public void Dispose() => _batcher.Dispose();

    private void Trim()
    {
        // A key is queued once, when first stored (a refresh keeps its place), so the queue and the entries stay alike.
        while (_entries.Count > MaxEntries)
            _entries.Remove(_age.Dequeue());
    }
}
