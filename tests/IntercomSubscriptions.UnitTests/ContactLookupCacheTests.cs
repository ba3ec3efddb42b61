using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.UnitTests;

/// <summary>The lookup cache: not-found forgotten soon, found kept longer, bounded in size.</summary>
public sealed class ContactLookupCacheTests
{
    private DateTimeOffset _now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private int _searches;

    private ContactLookupCache NewCache(Func<string, ContactData?> directory) =>
        new(new ContactLookupBatcher((field, values, _, _) =>
        {
            Interlocked.Increment(ref _searches);
            IReadOnlyList<ContactData> found = values.Select(directory).OfType<ContactData>().ToList();
            return Task.FromResult(found);
        }), () => _now);

    private static IReadOnlyList<ContactData> Find(ContactLookupCache cache, string email) =>
        cache.FindAsync(ContactSearchField.Email, email, TimeSpan.Zero, null, CancellationToken.None).GetAwaiter().GetResult();

    [Fact]
    public void A_lookup_that_found_nothing_is_asked_again_after_its_short_lifetime()
    {
        ContactData? grace = null;
        var cache = NewCache(email => grace);
        Assert.Empty(Find(cache, "grace@example.com"));
        grace = new ContactData("g1", "grace@example.com", null, "user"); // became searchable
        Assert.Empty(Find(cache, "grace@example.com"));
        Assert.Equal(1, _searches);

        _now += ContactLookupCache.NotFoundLifetime;
        Assert.Equal("g1", Assert.Single(Find(cache, "GRACE@example.com")).Id);
        Assert.Equal(2, _searches);
    }

    [Fact]
    public void A_lookup_that_found_a_contact_is_kept_for_its_longer_lifetime()
    {
        var cache = NewCache(email => new ContactData("id-" + email, email, null, "user"));
        Find(cache, "ada@example.com");
        _now += ContactLookupCache.NotFoundLifetime;
        Find(cache, "ada@example.com");
        Assert.Equal(1, _searches);
        _now += ContactLookupCache.FoundLifetime;
        Find(cache, "ada@example.com");
        Assert.Equal(2, _searches);
    }

    [Fact]
    public void The_cache_holds_at_most_MaxEntries_values_forgetting_the_oldest()
    {
        var cache = NewCache(email => new ContactData("id-" + email, email, null, "user"));
        for (var i = 0; i < ContactLookupCache.MaxEntries + 500; i++)
            Find(cache, $"u{i}@example.com");
        Assert.Equal(ContactLookupCache.MaxEntries, cache.Count);
        var before = _searches;
        Find(cache, "u0@example.com"); // the oldest: forgotten
        Find(cache, $"u{ContactLookupCache.MaxEntries + 499}@example.com"); // the newest: kept
        Assert.Equal(before + 1, _searches);
    }
}
