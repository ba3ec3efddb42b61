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
/// A search goes as soon as <see cref="MaxValuesPerSearch"/> values are pending, or once the first
/// pending value has waited the gather time its lookup asked for (zero when the cmdlet keeps only
/// one record in progress, so -ThrottleLimit 1 never waits). The records behind do not wait for the
/// batch: the ordered window keeps submitting them. If Intercom refuses a batch (400 or 422), the
/// batch size of this connection halves and the values are asked again in smaller searches, down to
/// one value per search; the smaller size sticks, so the refusal costs once per connection.
/// </remarks>
internal sealed class ContactLookupBatcher
{
    public const int MaxValuesPerSearch = 15;

    /// <summary>
    /// How long a lookup waits for others to share its search. At Intercom's 166 requests a second
    /// a full batch of 15 gathers in about 90 ms; a record waiting this long holds one of the window's
    /// slots, never the pipeline.
    /// </summary>
    public static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(100);

    private sealed record PendingLookup(string Value, TaskCompletionSource<IReadOnlyList<ContactData>> Answer);

    private readonly object _gate = new();
    private readonly Func<ContactSearchField, IReadOnlyList<string>, IIntercomEventSink?, CancellationToken, Task<IReadOnlyList<ContactData>>> _search;
    private readonly Dictionary<ContactSearchField, List<PendingLookup>> _pending = new();
    private readonly HashSet<ContactSearchField> _flushScheduled = new();
    private int _batchSize = MaxValuesPerSearch;

    /// <param name="search">One contact search for several values of one field (all pages).</param>
    public ContactLookupBatcher(Func<ContactSearchField, IReadOnlyList<string>, IIntercomEventSink?, CancellationToken, Task<IReadOnlyList<ContactData>>> search) =>
        _search = search;

    /// <summary>Values per search now: <see cref="MaxValuesPerSearch"/> until Intercom refuses a batch.</summary>
    public int BatchSize { get { lock (_gate) return _batchSize; } }

    /// <summary>The contacts whose <paramref name="field"/> is <paramref name="value"/>, found with the other pending values.</summary>
    public Task<IReadOnlyList<ContactData>> FindAsync(ContactSearchField field, string value, TimeSpan gather,
        IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<IReadOnlyList<ContactData>>(TaskCreationOptions.RunContinuationsAsynchronously);
        List<PendingLookup>? ready = null;
        var scheduleFlush = false;
        lock (_gate)
        {
            if (!_pending.TryGetValue(field, out var queue))
                _pending[field] = queue = new List<PendingLookup>();
            queue.Add(new PendingLookup(value, answer));
            if (queue.Count >= _batchSize || gather <= TimeSpan.Zero)
                ready = Take(field);
            else if (_flushScheduled.Add(field))
                scheduleFlush = true;
        }
        if (ready is not null)
            _ = SendAsync(field, ready, events, cancellationToken);
        else if (scheduleFlush)
            _ = FlushLaterAsync(field, gather, events, cancellationToken);
        return answer.Task;
    }

    private List<PendingLookup> Take(ContactSearchField field)
    {
        var queue = _pending[field];
        var count = Math.Min(queue.Count, _batchSize);
        var batch = queue.GetRange(0, count);
        queue.RemoveRange(0, count);
        return batch;
    }

    private async Task FlushLaterAsync(ContactSearchField field, TimeSpan gather, IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(gather, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        while (true)
        {
            List<PendingLookup> batch;
            lock (_gate)
            {
                if (!_pending.TryGetValue(field, out var queue) || queue.Count == 0)
                {
                    _flushScheduled.Remove(field);
                    return;
                }
                batch = Take(field);
            }
            _ = SendAsync(field, batch, events, cancellationToken);
        }
    }

    private async Task SendAsync(ContactSearchField field, List<PendingLookup> batch, IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        IReadOnlyList<ContactData> found;
        try
        {
            found = await _search(field, batch.Select(p => p.Value).Distinct(Comparer(field)).ToList(), events, cancellationToken).ConfigureAwait(false);
        }
        catch (IntercomApiException refused) when (batch.Count > 1 && refused.StatusCode is 400 or 422)
        {
            int smaller;
            lock (_gate)
            {
                _batchSize = Math.Max(1, Math.Min(_batchSize, (batch.Count + 1) / 2));
                smaller = _batchSize;
            }
            events?.Verbose($"Intercom refused a search for {batch.Count} values at once; searching {smaller} at a time on this connection.");
            await Task.WhenAll(Enumerable.Range(0, (batch.Count + smaller - 1) / smaller)
                .Select(i => SendAsync(field, batch.GetRange(i * smaller, Math.Min(smaller, batch.Count - i * smaller)), events, cancellationToken)))
                .ConfigureAwait(false);
            return;
        }
        catch (Exception failed)
        {
            foreach (var lookup in batch)
                lookup.Answer.TrySetException(failed);
            return;
        }
        var comparer = Comparer(field);
        foreach (var lookup in batch)
        {
            var matches = found.Where(c => comparer.Equals(field == ContactSearchField.Email ? c.Email : c.ExternalId, lookup.Value)).ToList();
            lookup.Answer.TrySetResult(matches);
        }
    }

    internal static StringComparer Comparer(ContactSearchField field) =>
        field == ContactSearchField.Email ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
}
