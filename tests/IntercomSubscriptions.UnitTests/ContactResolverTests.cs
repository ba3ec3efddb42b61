using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.UnitTests;

public sealed class ContactResolverTests
{
    private readonly List<(ContactSearchField, string)> _searches = new();

    private ContactResolver Resolver(params ContactData[] matches) => new((field, value, _) =>
    {
        _searches.Add((field, value));
        return Task.FromResult<IReadOnlyList<ContactData>>(matches);
    });

    [Fact]
    public async Task An_intercom_id_is_used_as_given_without_a_search()
    {
        Assert.Equal("63a0", await Resolver().ResolveAsync(new ContactTarget(null, "63a0"), CancellationToken.None));
        Assert.Empty(_searches);
    }

    [Fact]
    public async Task One_match_gives_its_id()
    {
        var id = await Resolver(new ContactData("c1", "ada@example.com", null, "user"))
            .ResolveAsync(new ContactTarget(ContactSearchField.Email, "ada@example.com"), CancellationToken.None);

        Assert.Equal("c1", id);
        Assert.Equal(new[] { (ContactSearchField.Email, "ada@example.com") }, _searches);
    }

    [Fact]
    public async Task No_match_and_several_matches_are_distinct_errors()
    {
        var none = await Assert.ThrowsAsync<ContactResolutionException>(() =>
            Resolver().ResolveAsync(new ContactTarget(ContactSearchField.ExternalId, "u-9"), CancellationToken.None));
        Assert.False(none.IsAmbiguous);
        Assert.Contains("external id 'u-9'", none.Message);

        var two = await Assert.ThrowsAsync<ContactResolutionException>(() =>
            Resolver(new ContactData("c1", "a@x.io", null, "user"), new ContactData("c2", "a@x.io", null, null))
                .ResolveAsync(new ContactTarget(ContactSearchField.Email, "a@x.io"), CancellationToken.None));
        Assert.True(two.IsAmbiguous);
        Assert.Contains("c1 (user), c2 (contact)", two.Message);
    }
}
