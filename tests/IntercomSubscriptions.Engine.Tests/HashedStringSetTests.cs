using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>The seen-id set: 8 bytes an id, whatever the id's length.</summary>
public sealed class HashedStringSetTests
{
    [Fact]
    public void It_tells_a_repeat_from_a_new_string_and_grows_as_strings_are_added()
    {
        var set = new HashedStringSet(initialCapacity: 4);

        Assert.True(set.Add("63a07ddf05a32042dffac965"));
        Assert.False(set.Add("63a07ddf05a32042dffac965"));
        Assert.True(set.Add("63a07ddf05a32042dffac966"));
        for (var i = 0; i < 1000; i++) Assert.True(set.Add($"id-{i}"));

        Assert.Equal(1002, set.Count);
        Assert.True(set.Contains("id-999"));
        Assert.False(set.Contains("id-1000"));
        Assert.Equal(2048 * 8, set.Bytes);
    }

    [Fact]
    public void A_million_ids_take_sixteen_megabytes()
    {
        var set = new HashedStringSet();
        for (var i = 0; i < 1_000_000; i++)
            set.Add(i.ToString("x24", System.Globalization.CultureInfo.InvariantCulture));

        // Odds of a false repeat among a million: about 3 in 100 million.
        Assert.Equal(1_000_000, set.Count);
        Assert.Equal(16L * 1024 * 1024, set.Bytes);
    }

    [Fact]
    public void The_hash_depends_on_the_seed_and_is_never_the_empty_mark()
    {
        Assert.NotEqual(HashedStringSet.Hash("a", 1), HashedStringSet.Hash("a", 2));
        Assert.Equal(HashedStringSet.Hash("a", 1), HashedStringSet.Hash("a", 1));
        Assert.NotEqual(HashedStringSet.Hash("ab", 1), HashedStringSet.Hash("ba", 1));
        Assert.All(Enumerable.Range(0, 10_000), i => Assert.NotEqual(0UL, HashedStringSet.Hash($"x{i}", (ulong)i)));
    }
}
