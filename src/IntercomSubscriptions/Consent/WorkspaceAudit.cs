using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Streams the explicit choices of every contact in the workspace (Get-IntercomContactSubscription
/// -All): pages through GET /contacts, 150 at a time, and takes each contact's choices from its
/// opted_in/opted_out lists when they are whole; only a contact whose lists are missing or say
/// has_more costs a call to its own subscriptions endpoint. One page is read ahead while the
/// current one is handed out, in order, through the ordered window, so memory stays bounded by a
/// page, the window and the ids listed (8 bytes each) whatever the workspace's size. Paging that
/// would not end (<see cref="ContactPaging"/>) ends the run with its error once every contact listed
/// so far is handed out, each once. Runs on the pipeline thread.
/// </summary>
internal sealed class WorkspaceAudit
{
    private readonly Func<string?, CancellationToken, Task<ContactPageData>> _listPage;
    private readonly Func<string, CancellationToken, Task<IReadOnlyList<SubscriptionTypeData>>> _listChoices;
    private readonly IReadOnlyDictionary<string, SubscriptionType> _types;
    private readonly ISet<string>? _only;

    /// <param name="listPage">GET /contacts after a cursor (null: the first page).</param>
    /// <param name="listChoices">GET /contacts/{id}/subscriptions, for a contact whose lists are not whole.</param>
    /// <param name="types">The workspace's subscription types by id, for names and consent types.</param>
    /// <param name="only">The type ids to report; null: all.</param>
    public WorkspaceAudit(Func<string?, CancellationToken, Task<ContactPageData>> listPage,
        Func<string, CancellationToken, Task<IReadOnlyList<SubscriptionTypeData>>> listChoices,
        IReadOnlyDictionary<string, SubscriptionType> types, ISet<string>? only)
    {
        _listPage = listPage;
        _listChoices = listChoices;
        _types = types;
        _only = only;
    }

    /// <summary>Different contacts read so far, and Intercom's count of them all (from the first page).</summary>
    public long ContactsSeen { get; private set; }

    public long? ContactsTotal { get; private set; }

    /// <summary>Contacts Intercom listed more than once, left out after the first time.</summary>
    public long ContactsRepeated { get; private set; }

    /// <summary>Contacts whose choices took a call of their own (lists missing or has_more).</summary>
    public long FallbackCalls { get; private set; }

    /// <summary>
    /// Runs the audit. Pages are awaited through <paramref name="awaitPage"/> (the cmdlet's
    /// pipeline-thread wait); each contact's choices go to <paramref name="onChoices"/> in workspace
    /// order, a failed fallback read to <paramref name="onError"/> with the contact's id. A page that
    /// fails ends the run with its exception: the rest of the workspace cannot be reached without it;
    /// so does paging that would not end (an InvalidResponse naming what Intercom did).
    /// </summary>
    public void Run(OrderedRequestWindow<IReadOnlyList<ContactSubscriptionChoice>> window,
        Func<Task<ContactPageData>, ContactPageData> awaitPage,
        Action<IReadOnlyList<ContactSubscriptionChoice>> onChoices, Action<Exception, string> onError,
        CancellationToken cancellationToken)
    {
        var paging = new ContactPaging("the contact list");
        var next = _listPage(null, cancellationToken);
        while (next is not null)
        {
            ContactPageData page;
            try
            {
                page = awaitPage(next);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Hand out what was read before the page that failed, then end the run with its error.
                window.Drain();
                throw;
            }
            ContactsTotal ??= page.TotalCount;
            var fresh = paging.Take(page.Contacts, contact => contact.Id, page.NextCursor, page.TotalCount);
            ContactsSeen = paging.Listed;
            ContactsRepeated = paging.Repeated;
            // The next page is asked for before this one's contacts are handed out: one page read ahead.
            next = paging.Next is { } cursor ? _listPage(cursor, cancellationToken) : null;
            foreach (var contact in fresh)
            {
                var current = contact;
                if (current.ChoicesComplete)
                {
                    window.Submit(_ => Task.FromResult(FromLists(current)), onChoices, exception => onError(exception, current.Id));
                    continue;
                }
                FallbackCalls++;
                window.Submit(
                    async token => FromEndpoint(current, await _listChoices(current.Id, token).ConfigureAwait(false)),
                    onChoices, exception => onError(exception, current.Id));
            }
        }
        window.Drain();
        if (paging.Problem is not null)
            throw paging.Failure();
    }

    internal IReadOnlyList<ContactSubscriptionChoice> FromLists(ContactConsentData contact)
    {
        var choices = new List<ContactSubscriptionChoice>();
        foreach (var id in contact.OptedIn!) Add(choices, contact, id, "opt_in");
        foreach (var id in contact.OptedOut!) Add(choices, contact, id, "opt_out");
        return choices;
    }

    internal IReadOnlyList<ContactSubscriptionChoice> FromEndpoint(ContactConsentData contact, IReadOnlyList<SubscriptionTypeData> chosen)
    {
        var choices = new List<ContactSubscriptionChoice>();
        foreach (var type in chosen)
        {
            var consent = type.ConsentType ?? (_types.TryGetValue(type.Id, out var known) ? known.ConsentType : null);
            Add(choices, contact, type.Id, consent);
        }
        return choices;
    }

    private void Add(List<ContactSubscriptionChoice> choices, ContactConsentData contact, string typeId, string? consent)
    {
        if (_only is not null && !_only.Contains(typeId)) return;
        _types.TryGetValue(typeId, out var type);
        choices.Add(new ContactSubscriptionChoice
        {
            ContactId = contact.Id,
            Email = contact.Email,
            ExternalId = contact.ExternalId,
            SubscriptionId = typeId,
            Name = type?.Name,
            ConsentType = type?.ConsentType ?? consent,
            Consent = consent,
            Subscribed = consent switch { "opt_in" => true, "opt_out" => false, _ => null },
            UnsubscribedFromEmails = contact.UnsubscribedFromEmails,
        });
    }
}
