using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Resolves the emails and external ids of the records in flight in batches: one contact search
/// with <c>"operator": "IN"</c> answers up to <see cref="MaxValuesPerSearch"/> of them (Intercom
/// counts each value against its 15 filters per group), so a bulk run by email costs about 1 + 1/15
/// calls per row instead of 2. Results are matched back by value: emails case-insensitively (as
/// Intercom's search compares them), external ids exactly.
/// </summary>
/// <remarks>
/// <para>A search goes as soon as <see cref="MaxValuesPerSearch"/> values are pending, or once the first
/// pending value has waited the gather time its lookup asked for (zero when the cmdlet keeps only
/// one record in progress, so -ThrottleLimit 1 never waits). The records behind do not wait for the
/// batch: the ordered window keeps submitting them. If Intercom refuses a batch (400 or 422), the
/// batch size of this connection halves and the values are asked again in smaller searches, down to
/// one value per search; the smaller size sticks, so the refusal costs once per connection.</para>
/// <para>The batcher lives as long as its connection, and so do its searches: pipelines of several
/// runspaces may share a connection, so a search is never run on one caller's cancellation token or
/// event sink. Each caller waits with its own token and stops only its own wait; a value nobody waits
/// for any more is not searched, and a search whose every value was given up is cancelled. A search's
/// messages go to the event sink of a caller still waiting for it. Closing the connection
/// (<see cref="Dispose"/>) cancels every search and fails every wait.</para>
/// </remarks>
internal sealed class ContactLookupBatcher : IDisposable
{
    public const int MaxValuesPerSearch = 15;

    /// <summary>
    /// How long a lookup waits for others to share its search. At Intercom's 166 requests a second
    /// a full batch of 15 gathers in about 90 ms; a record waiting this long holds one of the window's
    /// slots, never the pipeline.
    /// </summary>
    public static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(100);

    /// <summary>One value being looked up, shared by every caller that asks for it until it is answered.</summary>
    private sealed class Lookup(ContactSearchField field, string value)
    {
        public ContactSearchField Field { get; } = field;
        public string Value { get; } = value;
        public TaskCompletionSource<IReadOnlyList<ContactData>> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        /// <summary>The event sink of each caller waiting now (one entry per wait; null for a caller without one).</summary>
        public List<IIntercomEventSink?> Waiters { get; } = new();
        /// <summary>The search it is in; null while it is pending.</summary>
        public Search? Search { get; set; }
    }

    /// <summary>One contact search on the wire, cancelled when every lookup in it has been given up or the connection closes.</summary>
    private sealed class Search(List<Lookup> lookups, CancellationToken lifetime) : IDisposable
    {
        public List<Lookup> Lookups { get; } = lookups;
        public CancellationTokenSource Cancellation { get; } = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
        public void Dispose() => Cancellation.Dispose();
    }

    private readonly object _gate = new();
    private readonly Func<ContactSearchField, IReadOnlyList<string>, IIntercomEventSink?, CancellationToken, Task<IReadOnlyList<ContactData>>> _search;
    private readonly CancellationTokenSource _lifetime = new();
    // Taken once: it stays readable (cancelled) after Dispose disposes its source.
    private readonly CancellationToken _closing;
    // Lookups pending or on the wire, by field and value, so a value asked for again joins the lookup already under way.
    private readonly Dictionary<(ContactSearchField Field, string Key), Lookup> _underWay = new();
    private readonly Dictionary<ContactSearchField, List<Lookup>> _pending = new();
    private readonly HashSet<ContactSearchField> _flushScheduled = new();
    private int _batchSize = MaxValuesPerSearch;
    private bool _disposed;

    /// <param name="search">One contact search for several values of one field (all pages).</param>
    public ContactLookupBatcher(Func<ContactSearchField, IReadOnlyList<string>, IIntercomEventSink?, CancellationToken, Task<IReadOnlyList<ContactData>>> search)
    {
        _search = search;
        _closing = _lifetime.Token;
    }

    /// <summary>Values per search now: <see cref="MaxValuesPerSearch"/> until Intercom refuses a batch.</summary>
    public int BatchSize { get { lock (_gate) return _batchSize; } }

    /// <summary>
    /// The contacts whose <paramref name="field"/> is <paramref name="value"/>, found with the other
    /// pending values. <paramref name="cancellationToken"/> ends this caller's wait only;
    /// <paramref name="events"/> hears the search while this caller waits for it.
    /// </summary>
    public Task<IReadOnlyList<ContactData>> FindAsync(ContactSearchField field, string value, TimeSpan gather,
        IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled<IReadOnlyList<ContactData>>(cancellationToken);
        Lookup lookup;
        List<Lookup>? ready = null;
        var scheduleFlush = false;
        lock (_gate)
        {
            if (_disposed) throw Closed();
            var key = (field, Key(field, value));
            if (!_underWay.TryGetValue(key, out lookup!))
            {
                _underWay[key] = lookup = new Lookup(field, value);
                if (!_pending.TryGetValue(field, out var queue))
                    _pending[field] = queue = new List<Lookup>();
                queue.Add(lookup);
                if (queue.Count >= _batchSize || gather <= TimeSpan.Zero)
                    ready = Take(field);
                else if (_flushScheduled.Add(field))
                    scheduleFlush = true;
            }
            lookup.Waiters.Add(events);
        }
        if (ready is not null)
            _ = SendAsync(field, ready);
        else if (scheduleFlush)
            _ = FlushLaterAsync(field, gather);
        return WaitAsync(lookup, events, cancellationToken);
    }

    /// <summary>Cancels every search and fails every wait: the connection is closed.</summary>
    public void Dispose()
    {
        List<Lookup> underWay;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            underWay = _underWay.Values.ToList();
            _underWay.Clear();
            _pending.Clear();
        }
        _lifetime.Cancel();
        foreach (var lookup in underWay)
            lookup.Answer.TrySetException(Closed());
        _lifetime.Dispose();
    }

    /// <summary>This caller's wait: its own cancellation ends it, and gives its share of the lookup up.</summary>
    private async Task<IReadOnlyList<ContactData>> WaitAsync(Lookup lookup, IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            var stopped = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(() => stopped.TrySetResult(true)))
            {
                if (await Task.WhenAny(lookup.Answer.Task, stopped.Task).ConfigureAwait(false) != lookup.Answer.Task)
                {
                    GiveUp(lookup, events);
                    throw new OperationCanceledException(cancellationToken);
                }
            }
        }
        return await lookup.Answer.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// One caller stopped waiting. A lookup nobody waits for any more is forgotten (a later caller
    /// starts afresh): taken out of the queue while pending, and its search cancelled once every
    /// lookup in that search is given up.
    /// </summary>
    private void GiveUp(Lookup lookup, IIntercomEventSink? events)
    {
        Search? abandoned = null;
        lock (_gate)
        {
            lookup.Waiters.Remove(events);
            if (lookup.Waiters.Count > 0 || lookup.Answer.Task.IsCompleted) return;
            var key = (lookup.Field, Key(lookup.Field, lookup.Value));
            if (_underWay.TryGetValue(key, out var current) && ReferenceEquals(current, lookup))
                _underWay.Remove(key);
            if (lookup.Search is null)
                _pending[lookup.Field].Remove(lookup);
            else if (lookup.Search.Lookups.All(l => l.Waiters.Count == 0))
                abandoned = lookup.Search;
        }
        lookup.Answer.TrySetCanceled();
        try { abandoned?.Cancellation.Cancel(); }
        catch (ObjectDisposedException) { } // the search ended meanwhile
    }

    private List<Lookup> Take(ContactSearchField field)
    {
        var queue = _pending[field];
        var count = Math.Min(queue.Count, _batchSize);
        var batch = queue.GetRange(0, count);
        queue.RemoveRange(0, count);
        return batch;
    }

    private async Task FlushLaterAsync(ContactSearchField field, TimeSpan gather)
    {
        try
        {
            await Task.Delay(gather, _closing).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // closed: Dispose failed the waits
        }
        while (true)
        {
            List<Lookup> batch;
            lock (_gate)
            {
                if (_disposed || !_pending.TryGetValue(field, out var queue) || queue.Count == 0)
                {
                    _flushScheduled.Remove(field);
                    return;
                }
                batch = Take(field);
            }
            _ = SendAsync(field, batch);
        }
    }

    private async Task SendAsync(ContactSearchField field, List<Lookup> batch)
    {
        Search search;
        IIntercomEventSink? events;
        lock (_gate)
        {
            // Values given up between being taken from the queue and now are not asked for.
            batch = batch.Where(l => l.Waiters.Count > 0).ToList();
            if (_disposed || batch.Count == 0) return;
            search = new Search(batch, _closing);
            foreach (var lookup in batch) lookup.Search = search;
            events = EventsOf(batch);
        }
        using (search)
        {
            IReadOnlyList<ContactData> found;
            try
            {
                found = await _search(field, batch.Select(l => l.Value).Distinct(Comparer(field)).ToList(), events, search.Cancellation.Token).ConfigureAwait(false);
            }
            catch (IntercomApiException refused) when (batch.Count > 1 && refused.StatusCode is 400 or 422)
            {
                int smaller;
                lock (_gate)
                {
                    _batchSize = Math.Max(1, Math.Min(_batchSize, (batch.Count + 1) / 2));
                    smaller = _batchSize;
                    events = EventsOf(batch);
                }
                events?.Verbose($"Intercom refused a search for {batch.Count} values at once; searching {smaller} at a time on this connection.");
                await Task.WhenAll(Enumerable.Range(0, (batch.Count + smaller - 1) / smaller)
                    .Select(i => SendAsync(field, batch.GetRange(i * smaller, Math.Min(smaller, batch.Count - i * smaller)))))
                    .ConfigureAwait(false);
                return;
            }
            catch (Exception failed)
            {
                Answer(batch, lookup => lookup.Answer.TrySetException(_closing.IsCancellationRequested ? Closed() : failed));
                return;
            }
            var comparer = Comparer(field);
            Answer(batch, lookup => lookup.Answer.TrySetResult(
                found.Where(c => comparer.Equals(field == ContactSearchField.Email ? c.Email : c.ExternalId, lookup.Value)).ToList()));
        }
    }

    /// <summary>Ends the batch's lookups: forgotten here first, so that a later caller asks again instead of joining an ended lookup.</summary>
    private void Answer(List<Lookup> batch, Action<Lookup> end)
    {
        lock (_gate)
        {
            foreach (var lookup in batch)
            {
                var key = (lookup.Field, Key(lookup.Field, lookup.Value));
                if (_underWay.TryGetValue(key, out var current) && ReferenceEquals(current, lookup))
                    _underWay.Remove(key);
            }
        }
        foreach (var lookup in batch) end(lookup);
    }

    /// <summary>The sink of a caller still waiting for one of the batch's values; called under the gate.</summary>
    private static IIntercomEventSink? EventsOf(List<Lookup> batch) =>
        batch.SelectMany(l => l.Waiters).FirstOrDefault(sink => sink is not null);

    /// <summary>The value as a lookup is known by: emails compare case-insensitively in Intercom's search; external ids are exact.</summary>
    internal static string Key(ContactSearchField field, string value) =>
        field == ContactSearchField.Email ? value.ToLowerInvariant() : value;

    private static ObjectDisposedException Closed() =>
        new(nameof(IntercomConnection), "This Intercom connection was closed.");

    internal static StringComparer Comparer(ContactSearchField field) =>
        field == ContactSearchField.Email ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
}
