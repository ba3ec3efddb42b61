using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Emails and external ids already resolved to contacts, per connection: a CSV often names the
/// same person on several rows, and a search costs a request of the same rate-limit budget.
/// Lookups not yet answered are shared; new ones go to the <see cref="ContactLookupBatcher"/>.
/// </summary>
/// <remarks>
/// Bounded, so memory stays flat for a million email rows: at most <see cref="MaxEntries"/> values
/// (about 200 bytes each), the oldest forgotten first. A value that matched contacts is kept for
/// <see cref="FoundLifetime"/>; one that matched none only for <see cref="NotFoundLifetime"/>, since a
/// new contact can take minutes to become searchable. A failed lookup is forgotten at once.
/// </remarks>
internal sealed class ContactLookupCache
{
    internal const int MaxEntries = 10_000;
    internal static readonly TimeSpan FoundLifetime = TimeSpan.FromMinutes(15);
    internal static readonly TimeSpan NotFoundLifetime = TimeSpan.FromSeconds(30);

    private sealed class Entry(Task<IReadOnlyList<ContactData>> lookup)
    {
        public Task<IReadOnlyList<ContactData>> Lookup { get; } = lookup;
        public DateTimeOffset? ExpiresAt { get; set; }
    }

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

    /// <summary>Values remembered now (answered or pending).</summary>
    internal int Count { get { lock (_gate) return _entries.Count; } }

    /// <param name="gather">How long the lookup may wait for others to share its search (zero: search now).</param>
    public async Task<IReadOnlyList<ContactData>> FindAsync(ContactSearchField field, string value, TimeSpan gather,
        IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        // Emails compare case-insensitively in Intercom's search; external ids are exact.
        var key = (field, field == ContactSearchField.Email ? value.ToLowerInvariant() : value);
        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out entry!) || entry.ExpiresAt <= _now())
            {
                entry = new Entry(_batcher.FindAsync(field, value, gather, events, cancellationToken));
                if (!_entries.ContainsKey(key)) _age.Enqueue(key);
                _entries[key] = entry;
                Trim();
            }
        }
        try
        {
            var found = await entry.Lookup.ConfigureAwait(false);
            lock (_gate)
                entry.ExpiresAt ??= _now() + (found.Count == 0 ? NotFoundLifetime : FoundLifetime);
            return found;
        }
        catch
        {
            lock (_gate)
            {
                if (_entries.TryGetValue(key, out var current) && ReferenceEquals(current, entry))
                    _entries.Remove(key);
            }
            throw;
        }
    }

    private void Trim()
    {
        while (_entries.Count > MaxEntries && _age.Count > 0)
            _entries.Remove(_age.Dequeue());
        // Keys forgotten after a failure stay in the queue (and may be queued again): start it afresh.
        if (_age.Count > 2 * MaxEntries)
        {
            _age.Clear();
            foreach (var key in _entries.Keys) _age.Enqueue(key);
        }
    }
}
