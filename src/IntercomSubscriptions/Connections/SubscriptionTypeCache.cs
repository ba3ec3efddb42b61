using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// The workspace's subscription types, per connection. They change rarely, so completion, name
/// lookups and -IncludeDefault reuse one list for a few minutes instead of asking every time.
/// </summary>
internal sealed class SubscriptionTypeCache
{
    internal static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
    private readonly IntercomClient _client;
    private readonly object _gate = new();
    private IReadOnlyList<SubscriptionType>? _types;
    private DateTimeOffset _fetchedAt;

    public SubscriptionTypeCache(IntercomClient client) => _client = client;

    /// <summary>The last list fetched, however old; null before the first fetch. Tab completion uses it because it must not wait on HTTP.</summary>
    public IReadOnlyList<SubscriptionType>? Peek()
    {
        lock (_gate) return _types;
    }

    public async Task<IReadOnlyList<SubscriptionType>> GetAsync(bool refresh, IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!refresh && _types is not null && DateTimeOffset.UtcNow - _fetchedAt < MaxAge)
                return _types;
        }
        var data = await _client.ListSubscriptionTypesAsync(events, cancellationToken).ConfigureAwait(false);
        var types = data.Select(ModelMapper.ToSubscriptionType).ToArray();
        Store(types);
        return types;
    }

    public void Store(IReadOnlyList<SubscriptionType> types)
    {
        lock (_gate)
        {
            _types = types;
            _fetchedAt = DateTimeOffset.UtcNow;
        }
    }
}
