using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.UnitTests;

public sealed class SubscriptionTypeCacheTests
{
    private DateTimeOffset _now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private int _fetches;
    private bool _failing;

    private SubscriptionTypeCache Cache() => new((_, _) =>
    {
        _fetches++;
        if (_failing) throw new IntercomApiException(IntercomErrorKind.ServerError, "Service unavailable", 503);
        IReadOnlyList<SubscriptionTypeData> data = new[] { new SubscriptionTypeData("108", "live", "opt_in", new TranslationData($"Newsletter {_fetches}", null, "en"), Array.Empty<TranslationData>(), Array.Empty<string>()) };
        return Task.FromResult(data);
    }, () => _now);

    [Fact]
    public async Task The_list_serves_until_it_is_MaxAge_old_then_is_fetched_again()
    {
        var cache = Cache();
        await cache.GetOrKeepAsync(refresh: false, null, default);
        _now += SubscriptionTypeCache.MaxAge - TimeSpan.FromSeconds(1);
        Assert.Equal("Newsletter 1", (await cache.GetOrKeepAsync(refresh: false, null, default)).Types[0].Name);

        _now += TimeSpan.FromSeconds(2);
        Assert.Equal("Newsletter 2", (await cache.GetOrKeepAsync(refresh: false, null, default)).Types[0].Name);
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task An_expired_list_whose_refresh_fails_is_kept_with_the_failure_and_not_asked_for_again_at_once()
    {
        var cache = Cache();
        await cache.GetOrKeepAsync(refresh: false, null, default);
        _now += SubscriptionTypeCache.MaxAge + TimeSpan.FromSeconds(1);
        _failing = true;

        var held = await cache.GetOrKeepAsync(refresh: false, null, default);
        Assert.Equal("Newsletter 1", held.Types[0].Name);
        Assert.Contains("Service unavailable", held.RefreshFailure!.Message);

        // Within the pause the held list serves without a request and without a second failure to report.
        var again = await cache.GetOrKeepAsync(refresh: true, null, default);
        Assert.Null(again.RefreshFailure);
        Assert.Equal(2, _fetches);

        _now += SubscriptionTypeCache.RetryRefreshAfter;
        _failing = false;
        Assert.Equal("Newsletter 3", (await cache.GetOrKeepAsync(refresh: false, null, default)).Types[0].Name);
    }

    [Fact]
    public async Task With_no_list_held_a_failure_is_thrown()
    {
        _failing = true;
        await Assert.ThrowsAsync<IntercomApiException>(() => Cache().GetOrKeepAsync(refresh: false, null, default));
    }

    [Fact]
    public async Task A_miss_refreshes_even_a_fresh_list()
    {
        var cache = Cache();
        await cache.GetOrKeepAsync(refresh: false, null, default);
        Assert.Equal("Newsletter 2", (await cache.GetOrKeepAsync(refresh: true, null, default)).Types[0].Name);
    }
}
