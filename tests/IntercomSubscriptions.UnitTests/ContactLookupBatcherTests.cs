using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.UnitTests;

/// <summary>Lookups of records in flight share one search; results go back by value; a refused batch gets smaller.</summary>
public sealed class ContactLookupBatcherTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);

    private sealed class ScriptedSearch
    {
        public List<IReadOnlyList<string>> Searches { get; } = new();
        public List<ContactData> Contacts { get; } = new();
        public int? RefuseMoreThan { get; set; }

        public Task<IReadOnlyList<ContactData>> SearchAsync(ContactSearchField field, IReadOnlyList<string> values, IIntercomEventSink? events, CancellationToken ct)
        {
            lock (Searches) Searches.Add(values);
            if (values.Count > RefuseMoreThan)
                throw new IntercomApiException(IntercomErrorKind.InvalidRequest, "Too many filters", 400);
            var comparer = ContactLookupBatcher.Comparer(field);
            IReadOnlyList<ContactData> found = Contacts.Where(c => values.Contains(field == ContactSearchField.Email ? c.Email : c.ExternalId, comparer)).ToList();
            return Task.FromResult(found);
        }
    }

    [Fact]
    public void Fifteen_pending_lookups_go_as_one_search_at_once_and_each_gets_its_own_contacts()
    {
        var search = new ScriptedSearch();
        for (var i = 0; i < 15; i++) search.Contacts.Add(new ContactData("c" + i, $"u{i}@example.com", null, "user"));
        var batcher = new ContactLookupBatcher(search.SearchAsync);

        var lookups = Enumerable.Range(0, 15).Select(i => batcher.FindAsync(ContactSearchField.Email, $"U{i}@Example.com", Long, null, CancellationToken.None)).ToList();

        Assert.True(Task.WaitAll(lookups.ToArray(), TimeSpan.FromSeconds(10)));
        Assert.Single(search.Searches);
        Assert.Equal(15, search.Searches[0].Count);
        for (var i = 0; i < 15; i++)
            Assert.Equal("c" + i, Assert.Single(lookups[i].Result).Id);
    }

    [Fact]
    public void Fewer_lookups_wait_for_the_gather_time_then_go_together_with_zero_and_several_matches_kept_apart()
    {
        var search = new ScriptedSearch();
        search.Contacts.Add(new ContactData("lead", "twin@example.com", null, "lead"));
        search.Contacts.Add(new ContactData("user", "twin@example.com", null, "user"));
        search.Contacts.Add(new ContactData("x1", null, "ext-1", "user"));
        search.Contacts.Add(new ContactData("x1-other-case", null, "EXT-1", "user"));
        var batcher = new ContactLookupBatcher(search.SearchAsync);

        var twin = batcher.FindAsync(ContactSearchField.Email, "twin@example.com", TimeSpan.FromMilliseconds(50), null, CancellationToken.None);
        var nobody = batcher.FindAsync(ContactSearchField.Email, "nobody@example.com", TimeSpan.FromMilliseconds(50), null, CancellationToken.None);
        var external = batcher.FindAsync(ContactSearchField.ExternalId, "ext-1", TimeSpan.FromMilliseconds(50), null, CancellationToken.None);

        Assert.True(Task.WaitAll(new Task[] { twin, nobody, external }, TimeSpan.FromSeconds(10)));
        Assert.Equal(2, search.Searches.Count); // one per field
        Assert.Equal(new[] { "lead", "user" }, twin.Result.Select(c => c.Id));
        Assert.Empty(nobody.Result);
        Assert.Equal("x1", Assert.Single(external.Result).Id); // external ids are exact
    }

    [Fact]
    public void No_gather_time_searches_at_once()
    {
        var search = new ScriptedSearch();
        var batcher = new ContactLookupBatcher(search.SearchAsync);
        var lookup = batcher.FindAsync(ContactSearchField.Email, "a@example.com", TimeSpan.Zero, null, CancellationToken.None);
        Assert.True(lookup.IsCompleted);
        Assert.Single(search.Searches);
    }

    [Fact]
    public void A_refused_batch_is_asked_again_in_halves_down_to_what_is_accepted_and_the_size_sticks()
    {
        var search = new ScriptedSearch { RefuseMoreThan = 4 };
        for (var i = 0; i < 15; i++) search.Contacts.Add(new ContactData("c" + i, $"u{i}@example.com", null, "user"));
        var batcher = new ContactLookupBatcher(search.SearchAsync);

        var lookups = Enumerable.Range(0, 15).Select(i => batcher.FindAsync(ContactSearchField.Email, $"u{i}@example.com", Long, null, CancellationToken.None)).ToList();
        Assert.True(Task.WaitAll(lookups.ToArray(), TimeSpan.FromSeconds(10)));
        for (var i = 0; i < 15; i++)
            Assert.Equal("c" + i, Assert.Single(lookups[i].Result).Id);
        Assert.Equal(4, batcher.BatchSize);

        search.Searches.Clear();
        var again = Enumerable.Range(0, 4).Select(i => batcher.FindAsync(ContactSearchField.Email, $"u{i}@example.com", Long, null, CancellationToken.None)).ToList();
        Assert.True(Task.WaitAll(again.ToArray(), TimeSpan.FromSeconds(10)));
        Assert.Equal(4, Assert.Single(search.Searches).Count); // no refusal this time: the smaller size stuck
    }

    [Fact]
    public void A_batch_that_fails_otherwise_fails_each_of_its_lookups()
    {
        var batcher = new ContactLookupBatcher((_, _, _, _) => throw new IntercomApiException(IntercomErrorKind.Unauthorized, "Token not found", 401));
        var lookups = Enumerable.Range(0, 15).Select(i => batcher.FindAsync(ContactSearchField.Email, $"u{i}@example.com", Long, null, CancellationToken.None)).ToList();
        Assert.All(lookups, l => Assert.Equal(401, Assert.IsType<IntercomApiException>(Assert.Throws<AggregateException>(() => l.Wait()).InnerException).StatusCode));
    }
}
