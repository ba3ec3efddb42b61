using System.Net.Http;
using System.Security;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Intercom's subscription API for one connection, as the cmdlets call it: each method builds its
/// request (<see cref="IntercomRequests"/>), sends it (<see cref="IntercomTransport"/>) and reads the
/// answer (<see cref="IntercomJson"/>). Thread-safe: a bulk run has many calls in flight at once.
/// </summary>
internal sealed class IntercomClient : IDisposable
{
    // A handful of pages is already far more contacts than one email or external id should match.
    private const int MaxSearchPages = 20;

    // The client's own read-only copy; tests check that disconnecting disposes it.
    private readonly SecureString _secret;
    private readonly AccessToken _token;
    private readonly IntercomTransport _transport;
    private int _disposed;

    public IntercomClient(IntercomClientOptions options, SecureString token)
        : this(options, token, primaryHandler: null, time: null)
    {
    }

    /// <summary>The seam for tests: a scripted primary handler instead of the network, a fake clock.</summary>
    internal IntercomClient(IntercomClientOptions options, SecureString token, HttpMessageHandler? primaryHandler, TimeProvider? time)
    {
        Options = options;
        _secret = token.Copy();
        _secret.MakeReadOnly();
        _token = new AccessToken(_secret);
        if (_token.Problem() is { } problem)
        {
            _token.Dispose();
            throw new ArgumentException(problem);
        }
        var text = new ServerTextCleaner(_token);
        var clock = time ?? TimeProvider.System;
        _transport = new IntercomTransport(options, _token, text, new IntercomErrorClassifier(options, text, clock), primaryHandler, clock);
    }

    public IntercomClientOptions Options { get; }

    internal AnswerMemoryGate Answers => _transport.Answers;

    public Task<IReadOnlyList<SubscriptionTypeData>> ListSubscriptionTypesAsync(IIntercomEventSink? events, CancellationToken cancellationToken) =>
        SendAsync(IntercomRequests.ListSubscriptionTypes(), events,
            response => IntercomJson.ReadList(response, IntercomJson.ReadSubscriptionType), cancellationToken);

    public Task<IReadOnlyList<SubscriptionTypeData>> ListContactSubscriptionsAsync(string contactId, IIntercomEventSink? events, CancellationToken cancellationToken) =>
        SendAsync(IntercomRequests.ListContactSubscriptions(contactId), events,
            response => IntercomJson.ReadList(response, IntercomJson.ReadSubscriptionType), cancellationToken);

    /// <summary>Whether the contact has an explicit choice (opt-in or opt-out) for the subscription type: one read of its list.</summary>
    public async Task<bool> HasChoiceAsync(string contactId, string subscriptionTypeId, IIntercomEventSink? events, CancellationToken cancellationToken) =>
        (await ListContactSubscriptionsAsync(contactId, events, cancellationToken).ConfigureAwait(false)).Any(t => t.Id == subscriptionTypeId);

    /// <summary>Attaches a contact to a subscription type: opt_in or opt_out, as the type's consent model says.</summary>
    /// <param name="options">A write-ahead step, a token for attempts on the wire, and where to report what became of them (<see cref="CallOptions"/>).</param>
    public Task<SubscriptionTypeData> AttachSubscriptionAsync(string contactId, string subscriptionTypeId, string consentType,
        IIntercomEventSink? events, CancellationToken cancellationToken, CallOptions? options = null) =>
        SendAsync(IntercomRequests.AttachSubscription(contactId, subscriptionTypeId, consentType), events,
            response => ReadTheTypeAskedFor(response, subscriptionTypeId), cancellationToken, options);

    /// <inheritdoc cref="AttachSubscriptionAsync"/>
    public Task<SubscriptionTypeData> DetachSubscriptionAsync(string contactId, string subscriptionTypeId,
        IIntercomEventSink? events, CancellationToken cancellationToken, CallOptions? options = null) =>
        SendAsync(IntercomRequests.DetachSubscription(contactId, subscriptionTypeId), events,
            response => ReadTheTypeAskedFor(response, subscriptionTypeId), cancellationToken, options);

    /// <summary>An answer about another subscription type than the one changed is not a success for this one.</summary>
    private static SubscriptionTypeData ReadTheTypeAskedFor(ApiResponse response, string subscriptionTypeId)
    {
        var type = IntercomJson.ReadObject(response, IntercomJson.ReadSubscriptionType);
        if (!string.Equals(type.Id, subscriptionTypeId, StringComparison.Ordinal))
            throw response.InvalidBody($"Intercom answered about subscription type {type.Id} when asked to change {subscriptionTypeId}; the change to {subscriptionTypeId} is unconfirmed");
        return type;
    }

    /// <summary>One contact, with its email flags (GET /contacts/{id}).</summary>
    public Task<ContactConsentData> GetContactAsync(string contactId, IIntercomEventSink? events, CancellationToken cancellationToken) =>
        SendAsync(IntercomRequests.GetContact(contactId), events,
            response => IntercomJson.ReadObject(response, IntercomJson.ReadContactConsent), cancellationToken);

    /// <summary>One page of every contact in the workspace (GET /contacts), after <paramref name="startingAfter"/>.</summary>
    public Task<ContactPageData> ListContactsAsync(string? startingAfter, IIntercomEventSink? events, CancellationToken cancellationToken) =>
        SendAsync(IntercomRequests.ListContacts(startingAfter), events,
            IntercomJson.ReadContactPage, cancellationToken);

    /// <summary>
    /// Every contact whose email or external id is one of <paramref name="values"/> (all pages), in one
    /// search, each once. Paging that goes round is an InvalidResponse failure (<see cref="ContactPaging"/>),
    /// not contacts counted twice.
    /// </summary>
    public async Task<IReadOnlyList<ContactData>> SearchContactsAsync(ContactSearchField field, IReadOnlyList<string> values,
        IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        var contacts = new List<ContactData>();
        var paging = new ContactPaging("a contact search");
        string? cursor = null;
        for (var page = 0; page < MaxSearchPages; page++)
        {
            var (items, next, _) = await SendAsync(IntercomRequests.SearchContacts(field, values, cursor), events,
                response => IntercomJson.ReadPage(response, IntercomJson.ReadContact), cancellationToken).ConfigureAwait(false);
            contacts.AddRange(paging.Take(items, contact => contact.Id, next, total: null));
            if (paging.Problem is not null) throw paging.Failure();
            if (paging.Next is null) break;
            cursor = paging.Next;
        }
        return contacts;
    }

    private async Task<T> SendAsync<T>(IntercomRequest request, IIntercomEventSink? events, Func<ApiResponse, T> read, CancellationToken cancellationToken,
        CallOptions? options = null)
    {
        if (Volatile.Read(ref _disposed) != 0)
            throw new ObjectDisposedException(nameof(IntercomClient), "This Intercom connection was closed.");
        using var response = await _transport.SendAsync(request, events, options, cancellationToken).ConfigureAwait(false);
        return read(response);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _transport.Dispose();
        _token.Dispose();
    }
}
