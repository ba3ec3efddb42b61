using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.UnitTests;

/// <summary>The audit's paging and choice of source, with scripted pages instead of HTTP.</summary>
public sealed class WorkspaceAuditTests
{
    private static readonly IReadOnlyDictionary<string, SubscriptionType> Types = new Dictionary<string, SubscriptionType>
    {
        ["108"] = new() { Id = "108", Name = "Newsletters", ConsentType = "opt_in" },
        ["109"] = new() { Id = "109", Name = "Product updates", ConsentType = "opt_out" },
    };

    private static ContactConsentData Contact(string id, string[]? optedIn, string[]? optedOut) =>
        new(id, id + "@example.com", null, false, false, false, optedIn, optedOut);

    private readonly List<string?> _pagesAsked = new();
    private readonly List<string> _ownCalls = new();
    private readonly List<string> _written = new();

    private List<string> Run(Func<string?, ContactPageData> page, ISet<string>? only = null)
    {
        var audit = new WorkspaceAudit(
            (cursor, _) => { _pagesAsked.Add(cursor); return Task.FromResult(page(cursor)); },
            (contactId, _) =>
            {
                lock (_ownCalls) _ownCalls.Add(contactId);
                return Task.FromResult<IReadOnlyList<SubscriptionTypeData>>(new[]
                {
                    new SubscriptionTypeData("109", "live", "opt_out", null, Array.Empty<TranslationData>(), ["email"]),
                });
            },
            Types, only);
        using var window = new OrderedRequestWindow<IReadOnlyList<ContactSubscriptionChoice>>(4, () => { }, CancellationToken.None);
        audit.Run(window, task => task.GetAwaiter().GetResult(),
            choices => _written.AddRange(choices.Select(c => $"{c.ContactId}/{c.SubscriptionId}/{c.Consent}/{c.Subscribed}")),
            (exception, _) => throw exception, CancellationToken.None);
        return _written;
    }

    [Fact]
    public void Whole_lists_are_used_and_only_incomplete_contacts_get_their_own_call_in_workspace_order()
    {
        var written = Run(cursor => cursor switch
        {
            null => new ContactPageData(new[] { Contact("a", ["108"], []), Contact("b", null, null) }, "p2", 3),
            "p2" => new ContactPageData(new[] { Contact("c", [], ["109"]) }, null, 3),
            _ => throw new InvalidOperationException(),
        });

        Assert.Equal(["a/108/opt_in/True", "b/109/opt_out/False", "c/109/opt_out/False"], written);
        Assert.Equal(["b"], _ownCalls);
        Assert.Equal([null, "p2"], _pagesAsked);
    }

    [Fact]
    public void A_filter_keeps_only_the_types_asked_for()
    {
        var written = Run(_ => new ContactPageData(new[] { Contact("a", ["108"], ["109"]) }, null, 1), new HashSet<string> { "109" });

        Assert.Equal(["a/109/opt_out/False"], written);
    }

    [Fact]
    public void A_server_that_repeats_its_first_page_lists_it_once_and_ends_the_audit_with_an_invalid_response()
    {
        var failure = Assert.Throws<IntercomApiException>(() => Run(_ => new ContactPageData(new[] { Contact("a", ["108"], []) }, "same", null)));

        Assert.Equal(IntercomErrorKind.InvalidResponse, failure.Kind);
        Assert.Contains("all listed already", failure.Message);
        Assert.Equal([null, "same"], _pagesAsked);   // the first page, then "same" once: its contacts were listed already
        Assert.Equal(["a/108/opt_in/True"], _written);
    }

    [Fact]
    public void Cursors_that_go_round_are_followed_once_and_every_contact_read_before_is_handed_out_first()
    {
        var failure = Assert.Throws<IntercomApiException>(() => Run(cursor => cursor switch
        {
            null => new ContactPageData(new[] { Contact("a", ["108"], []) }, "A", 3),
            "A" => new ContactPageData(new[] { Contact("b", ["108"], []) }, "B", 3),
            "B" => new ContactPageData(new[] { Contact("c", ["108"], []), Contact("b", ["108"], []) }, "A", 3),
            _ => throw new InvalidOperationException(),
        }));

        Assert.Contains("cursors go round", failure.Message);
        Assert.Equal([null, "A", "B"], _pagesAsked);
        Assert.Equal(["a/108/opt_in/True", "b/108/opt_in/True", "c/108/opt_in/True"], _written);
    }

    [Fact]
    public void An_empty_page_that_names_another_ends_the_audit_instead_of_looking_complete()
    {
        var failure = Assert.Throws<IntercomApiException>(() => Run(_ => new ContactPageData(Array.Empty<ContactConsentData>(), "more", null)));

        Assert.Contains("no contacts, yet named a next page", failure.Message);
        Assert.Single(_pagesAsked);
    }
}
