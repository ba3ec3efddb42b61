using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// The workspace's subscription types, per connection. They change rarely, so completion, name
/// lookups and -IncludeDefault reuse one list for a few minutes instead of asking every time.
/// </summary>
internal sealed class SubscriptionTypeCache
{
    internal static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
    // After a failed refresh the held list serves this long before the next try, so a bulk run
    // whose refresh fails does not send one doomed request per record.
    internal static readonly TimeSpan RetryRefreshAfter = TimeSpan.FromSeconds(30);

    private readonly Func<IIntercomEventSink?, CancellationToken, Task<IReadOnlyList<SubscriptionTypeData>>> _fetch;
    private readonly Func<DateTimeOffset> _clock;
    private readonly object _gate = new();
    private IReadOnlyList<SubscriptionType>? _types;
    private DateTimeOffset _fetchedAt;
    private DateTimeOffset _noFetchUntil;

    /// <param name="fetch">Lists the workspace's types (IntercomClient.ListSubscriptionTypesAsync).</param>
    /// <param name="clock">Now; a test passes its own.</param>
    public SubscriptionTypeCache(Func<IIntercomEventSink?, CancellationToken, Task<IReadOnlyList<SubscriptionTypeData>>> fetch,
        Func<DateTimeOffset>? clock = null)
    {
        _fetch = fetch;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>The last list fetched, however old; null before the first fetch. Tab completion uses it because it must not wait on HTTP.</summary>
    public IReadOnlyList<SubscriptionType>? Peek()
    {
        lock (_gate) return _types;
    }

    /// <summary>The list, fetched when none is held, when it is older than <see cref="MaxAge"/>, or when <paramref name="refresh"/> asks. A failed fetch throws.</summary>
    public async Task<IReadOnlyList<SubscriptionType>> GetAsync(bool refresh, IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!refresh && _types is not null && _clock() - _fetchedAt < MaxAge)
                return _types;
        }
        var data = await _fetch(events, cancellationToken).ConfigureAwait(false);
        var types = data.Select(ModelMapper.ToSubscriptionType).ToArray();
        Store(types);
        return types;
    }

    /// <summary>
    /// Like <see cref="GetAsync"/>, for a run that must not stop because a refresh failed: when the
    /// fetch fails and a list is held, that list is returned with the failure (the caller warns), and
    /// the next fetch waits <see cref="RetryRefreshAfter"/>. With no list held, the failure is thrown.
    /// </summary>
    public async Task<HeldSubscriptionTypes> GetOrKeepAsync(bool refresh, IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        IReadOnlyList<SubscriptionType>? held;
        DateTimeOffset fetchedAt;
        lock (_gate)
        {
            held = _types;
            fetchedAt = _fetchedAt;
            // Within the pause after a failed refresh the held list serves, refresh asked or not (the failure was reported).
            if (held is not null && (_clock() < _noFetchUntil || (!refresh && _clock() - _fetchedAt < MaxAge)))
                return new HeldSubscriptionTypes(held, null, fetchedAt);
        }
        try
        {
            return new HeldSubscriptionTypes(await GetAsync(refresh: true, events, cancellationToken).ConfigureAwait(false), null, _clock());
        }
        catch (Exception ex) when (held is not null && !cancellationToken.IsCancellationRequested)
        {
            lock (_gate) _noFetchUntil = _clock() + RetryRefreshAfter;
            return new HeldSubscriptionTypes(held, ex, fetchedAt);
        }
    }

    public void Store(IReadOnlyList<SubscriptionType> types)
    {
        lock (_gate)
        {
            _types = types;
            _fetchedAt = _clock();
        }
    }
}
