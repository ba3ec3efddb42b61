using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Streams the explicit choices of every contact in the workspace (Get-IntercomContactSubscription
/// -All): pages through GET /contacts, 150 at a time, and takes each contact's choices from its
/// opted_in/opted_out lists when they are whole; only a contact whose lists are missing or say
/// has_more costs a call to its own subscriptions endpoint. One page is read ahead while the
/// current one is handed out, in order, through the ordered window, so memory stays bounded by a
/// page and the window whatever the workspace's size. Runs on the pipeline thread.
/// </summary>
internal sealed class WorkspaceAudit
{
    // A server that keeps answering with a next page must not keep a run going for ever: Intercom's
    // largest workspaces hold a few million contacts, far fewer than this many pages of 150.
    internal const int MaxPages = 1_000_000;

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

    /// <summary>Contacts read so far, and Intercom's count of them all (from the first page).</summary>
    public long ContactsSeen { get; private set; }

    public long? ContactsTotal { get; private set; }

    /// <summary>Contacts whose choices took a call of their own (lists missing or has_more).</summary>
    public long FallbackCalls { get; private set; }

    /// <summary>
    /// Runs the audit. Pages are awaited through <paramref name="awaitPage"/> (the cmdlet's
    /// pipeline-thread wait); each contact's choices go to <paramref name="onChoices"/> in workspace
    /// order, a failed fallback read to <paramref name="onError"/> with the contact's id. A page that
    /// fails ends the run with its exception: the rest of the workspace cannot be reached without it.
    /// </summary>
    public void Run(OrderedRequestWindow<IReadOnlyList<ContactSubscriptionChoice>> window,
        Func<Task<ContactPageData>, ContactPageData> awaitPage,
        Action<IReadOnlyList<ContactSubscriptionChoice>> onChoices, Action<Exception, string> onError,
        CancellationToken cancellationToken)
    {
        var next = _listPage(null, cancellationToken);
        string? cursor = null;
        for (var pages = 0; next is not null; pages++)
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
            if (page.NextCursor is { } following && following != cursor && pages + 1 < MaxPages && page.Contacts.Count > 0)
            {
                cursor = following;
                next = _listPage(following, cancellationToken);
            }
            else
            {
                next = null;
            }
            foreach (var contact in page.Contacts)
            {
                ContactsSeen++;
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
