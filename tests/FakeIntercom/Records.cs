namespace FakeIntercom;

/// <summary>One entry of the server's request log.</summary>
public sealed record RecordedRequest(
    DateTimeOffset ReceivedAt,
    DateTimeOffset CompletedAt,
    string Method,
    string RawPath,
    string Query,
    string? IntercomVersion,
    string? Authorization,
    string? Body,
    int StatusCode,
    bool Dropped,
    bool WhileExhausted)
{
    /// <summary>
    /// The X-RateLimit-Reset (Unix seconds) of the rate-limit window the request was counted in; null
    /// when it was not counted (no rate limit set, refused with a 429, or answered before the rate-limit stage).
    /// </summary>
    public long? CountedInWindowEndingAt { get; init; }
}

/// <summary>
/// What the simulated other client of the app (<see cref="FaultSettings.OtherClientRequestsPerWindow"/>)
/// sent and had refused (the window was full when its request came), in all and per window.
/// </summary>
public sealed record OtherClientCounts(int Sent, int Refused, IReadOnlyList<OtherClientWindow> Windows);

/// <summary>One window's share of <see cref="OtherClientCounts"/>: the window's start (Unix seconds), what was sent and refused in it.</summary>
public sealed record OtherClientWindow(long StartUnixSeconds, int Sent, int Refused);

/// <summary>A canned answer queued with <see cref="FaultSettings.EnqueueScripted"/>.</summary>
public sealed record ScriptedResponse(int StatusCode, string? Body, string ContentType = "application/json")
{
    /// <summary>Only requests whose raw path contains this (ordinal); null = any.</summary>
    public string? PathContains { get; init; }

    /// <summary>Only this HTTP method (case-insensitive); null = any.</summary>
    public string? Method { get; init; }

    /// <summary>Abort the connection instead of answering.</summary>
    public bool DropConnection { get; init; }

    /// <summary>
    /// Promise the whole body (Content-Length), send only this many bytes of it, then abort the
    /// connection: an answer cut off mid-way. The log keeps the status the server began to send.
    /// </summary>
    public int? CutOffAfterBytes { get; init; }

    /// <summary>Wait this long before answering (or dropping).</summary>
    public int DelayMs { get; init; }

    /// <summary>Extra response headers.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>How many matching requests this answers.</summary>
    public int Times { get; init; } = 1;
}

public sealed record SubscriptionTypeRecord(
    string Id,
    string Name,
    string ConsentType,
    string State,
    IReadOnlyList<string> ContentTypes,
    string? Description,
    string Locale,
    IReadOnlyList<TranslationRecord> Translations);

public sealed record TranslationRecord(string Locale, string Name, string? Description);

/// <summary>
/// A contact. The three flags are Intercom's email reachability (<c>unsubscribed_from_emails</c>,
/// <c>has_hard_bounced</c>, <c>marked_email_as_spam</c>); change them with <see cref="FakeIntercomState.SetEmailStatus"/>.
/// </summary>
public sealed record ContactRecord(
    string Id,
    string? Email,
    string? ExternalId,
    string Role,
    bool UnsubscribedFromEmails = false,
    bool HasHardBounced = false,
    bool MarkedEmailAsSpam = false);

/// <summary>How a contact object's opted_in/opted_out_subscription_types lists come out.</summary>
public enum SubscriptionListShape
{
    /// <summary>Every explicit choice, has_more false: a client may trust the lists.</summary>
    Complete,

    /// <summary>At most the first id of each list, has_more true and the true total_count: the client must ask the contact's subscriptions endpoint.</summary>
    HasMore,

    /// <summary>Both lists absent from the contact object.</summary>
    Missing,
}

/// <summary>A contact with its explicit choices (type id → opt_in/opt_out, in type order) and how its lists come out.</summary>
internal sealed record ContactView(ContactRecord Contact, IReadOnlyList<KeyValuePair<string, string>> Choices, SubscriptionListShape ListShape);

public sealed class FakeIntercomOptions
{
    /// <summary>Loopback port to bind; 0 = ephemeral.</summary>
    public int Port { get; set; }

    /// <summary>The accepted bearer token.</summary>
    public string Token { get; set; } = "fake-intercom-token";

    /// <summary>Tokens answered with 403 api_plan_restricted.</summary>
    public ISet<string> ForbiddenTokens { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Seed the state with <see cref="FakeIntercomState.AddSampleData"/>.</summary>
    public bool SeedSampleData { get; set; } = true;

    /// <summary>
    /// Keep every request in <see cref="FakeIntercomServer.Requests"/>. False for long runs (a
    /// benchmark's memory measurement) where the log would grow per request: the log then stays
    /// empty, while MaxConcurrentRequests and RequestsWhileExhausted still count.
    /// </summary>
    public bool RecordRequests { get; set; } = true;
}
