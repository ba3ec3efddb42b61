using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.UnitTests;

/// <summary>
/// Lookups of records in flight share one search; results go back by value; a refused batch gets
/// smaller; the searches live with the connection, and each caller ends only its own wait.
/// </summary>
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
    public async Task Fifteen_pending_lookups_go_as_one_search_at_once_and_each_gets_its_own_contacts()
    {
        var search = new ScriptedSearch();
        for (var i = 0; i < 15; i++) search.Contacts.Add(new ContactData("c" + i, $"u{i}@example.com", null, "user"));
        var batcher = new ContactLookupBatcher(search.SearchAsync);

        var lookups = Enumerable.Range(0, 15).Select(i => batcher.FindAsync(ContactSearchField.Email, $"U{i}@Example.com", Long, null, CancellationToken.None)).ToList();

        Assert.True(await Task.WhenAll(lookups).EndsWithin(TimeSpan.FromSeconds(10)));
        Assert.Single(search.Searches);
        Assert.Equal(15, search.Searches[0].Count);
        for (var i = 0; i < 15; i++)
            Assert.Equal("c" + i, Assert.Single(await lookups[i]).Id);
    }

    [Fact]
    public async Task Fewer_lookups_wait_for_the_gather_time_then_go_together_with_zero_and_several_matches_kept_apart()
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

        Assert.True(await Task.WhenAll(twin, nobody, external).EndsWithin(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, search.Searches.Count); // one per field
        Assert.Equal(["lead", "user"], (await twin).Select(c => c.Id));
        Assert.Empty(await nobody);
        Assert.Equal("x1", Assert.Single(await external).Id); // external ids are exact
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
    public async Task A_refused_batch_is_asked_again_in_halves_down_to_what_is_accepted_and_the_size_sticks()
    {
        var search = new ScriptedSearch { RefuseMoreThan = 4 };
        for (var i = 0; i < 15; i++) search.Contacts.Add(new ContactData("c" + i, $"u{i}@example.com", null, "user"));
        var batcher = new ContactLookupBatcher(search.SearchAsync);

        var lookups = Enumerable.Range(0, 15).Select(i => batcher.FindAsync(ContactSearchField.Email, $"u{i}@example.com", Long, null, CancellationToken.None)).ToList();
        Assert.True(await Task.WhenAll(lookups).EndsWithin(TimeSpan.FromSeconds(10)));
        for (var i = 0; i < 15; i++)
            Assert.Equal("c" + i, Assert.Single(await lookups[i]).Id);
        Assert.Equal(4, batcher.BatchSize);

        search.Searches.Clear();
        var again = Enumerable.Range(0, 4).Select(i => batcher.FindAsync(ContactSearchField.Email, $"u{i}@example.com", Long, null, CancellationToken.None)).ToList();
        Assert.True(await Task.WhenAll(again).EndsWithin(TimeSpan.FromSeconds(10)));
        Assert.Equal(4, Assert.Single(search.Searches).Count); // no refusal this time: the smaller size stuck
    }

    [Fact]
    public void A_batch_that_fails_otherwise_fails_each_of_its_lookups()
    {
        var batcher = new ContactLookupBatcher((_, _, _, _) => throw new IntercomApiException(IntercomErrorKind.Unauthorized, "Token not found", 401));
        var lookups = Enumerable.Range(0, 15).Select(i => batcher.FindAsync(ContactSearchField.Email, $"u{i}@example.com", Long, null, CancellationToken.None)).ToList();
        Assert.All(lookups, l => Assert.Equal(401, Assert.IsType<IntercomApiException>(Assert.Throws<AggregateException>(() => l.Wait()).InnerException).StatusCode));
    }

    /// <summary>A search that stays on the wire until the test answers it, and remembers what it was given.</summary>
    private sealed class HeldSearch
    {
        public List<(IReadOnlyList<string> Values, IIntercomEventSink? Events, CancellationToken Token)> Calls { get; } = new();
        public TaskCompletionSource<IReadOnlyList<ContactData>> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<IReadOnlyList<ContactData>> SearchAsync(ContactSearchField field, IReadOnlyList<string> values, IIntercomEventSink? events, CancellationToken ct)
        {
            lock (Calls) Calls.Add((values, events, ct));
            return Answer.Task.WaitAsync(ct);
        }
    }

    private sealed class Sink : IIntercomEventSink
    {
        public void Verbose(string message) { }
        public void Debug(string message) { }
        public void Count(WireEvent what, DateTimeOffset at) { }
    }

    [Fact]
    public async Task A_caller_that_stops_waiting_ends_only_its_own_wait_and_the_search_goes_on_for_the_others()
    {
        var search = new HeldSearch();
        var batcher = new ContactLookupBatcher(search.SearchAsync);
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var stopped = batcher.FindAsync(ContactSearchField.Email, "ada@example.com", TimeSpan.Zero, new Sink(), first.Token);
        var going = batcher.FindAsync(ContactSearchField.Email, "ADA@example.com", TimeSpan.Zero, new Sink(), second.Token);

        first.Cancel();

        Assert.True(SpinWait.SpinUntil(() => stopped.IsCompleted, TimeSpan.FromSeconds(10)));
        Assert.True(stopped.IsCanceled);
        var (values, _, token) = Assert.Single(search.Calls); // the second caller joined the lookup under way
        Assert.False(token.IsCancellationRequested);
        search.Answer.SetResult(new[] { new ContactData("ada", "ada@example.com", null, "user") });
        Assert.True(await going.EndsWithin(TimeSpan.FromSeconds(10)));
        Assert.Equal("ada", Assert.Single(await going).Id);
    }

    [Fact]
    public async Task A_value_nobody_waits_for_is_not_searched_and_the_search_reports_to_a_caller_still_waiting()
    {
        var search = new ScriptedSearch();
        var reported = new List<IIntercomEventSink?>();
        var batcher = new ContactLookupBatcher((field, values, events, ct) =>
        {
            lock (reported) reported.Add(events);
            return search.SearchAsync(field, values, events, ct);
        });
        var firstSink = new Sink();
        var secondSink = new Sink();
        using var first = new CancellationTokenSource();
        var given = batcher.FindAsync(ContactSearchField.Email, "given-up@example.com", Long, firstSink, first.Token);
        first.Cancel();
        Assert.True(SpinWait.SpinUntil(() => given.IsCompleted, TimeSpan.FromSeconds(10)));

        var lookups = Enumerable.Range(0, 15).Select(i => batcher.FindAsync(ContactSearchField.Email, $"u{i}@example.com", Long, secondSink, CancellationToken.None)).ToList();

        Assert.True(await Task.WhenAll(lookups).EndsWithin(TimeSpan.FromSeconds(10)));
        Assert.True(given.IsCanceled);
        var values = Assert.Single(search.Searches);
        Assert.DoesNotContain("given-up@example.com", values);
        Assert.Same(secondSink, Assert.Single(reported));
    }

    [Fact]
    public void A_search_whose_every_caller_gave_up_is_cancelled()
    {
        var search = new HeldSearch();
        var batcher = new ContactLookupBatcher(search.SearchAsync);
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var one = batcher.FindAsync(ContactSearchField.ExternalId, "ext-1", TimeSpan.Zero, null, first.Token);
        var other = batcher.FindAsync(ContactSearchField.ExternalId, "ext-1", TimeSpan.Zero, null, second.Token);
        var token = Assert.Single(search.Calls).Token;

        first.Cancel();
        Assert.False(token.IsCancellationRequested);
        second.Cancel();

        Assert.True(SpinWait.SpinUntil(() => token.IsCancellationRequested, TimeSpan.FromSeconds(10)));
        Assert.True(SpinWait.SpinUntil(() => one.IsCanceled && other.IsCanceled, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Closing_the_connection_cancels_its_searches_and_fails_every_wait()
    {
        var search = new HeldSearch();
        var batcher = new ContactLookupBatcher(search.SearchAsync);
        var onTheWire = batcher.FindAsync(ContactSearchField.Email, "ada@example.com", TimeSpan.Zero, null, CancellationToken.None);
        var pending = batcher.FindAsync(ContactSearchField.ExternalId, "ext-1", Long, null, CancellationToken.None);
        var token = Assert.Single(search.Calls).Token;

        batcher.Dispose();

        Assert.True(token.IsCancellationRequested);
        foreach (var wait in new[] { onTheWire, pending })
            Assert.IsType<ObjectDisposedException>(Assert.Throws<AggregateException>(() => wait.Wait(TimeSpan.FromSeconds(10))).InnerException);
        Assert.Throws<ObjectDisposedException>(() => { _ = batcher.FindAsync(ContactSearchField.Email, "ada@example.com", TimeSpan.Zero, null, CancellationToken.None); });
        Assert.Single(search.Calls);
    }
}
