using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// What Connect-Intercom creates: where to talk to and how. Give it to -Connection to work with
/// more than one workspace in a script. It never shows the token, only a masked hint of it.
/// </summary>
public sealed class IntercomConnection
{
    private readonly SubscriptionTypeCache _types;

    internal IntercomConnection(IntercomClient client, string region, string maskedToken)
    {
        Client = client;
        Region = region;
        MaskedToken = maskedToken;
        ConnectedAt = DateTimeOffset.Now;
        _types = new SubscriptionTypeCache(client.ListSubscriptionTypesAsync);
        Contacts = new ContactLookupCache(client);
    }

    /// <summary>US, EU, AU, or Custom when -BaseUri was given.</summary>
    public string Region { get; }
    public Uri BaseUri => Client.Options.BaseUri;
    public string ApiVersion => Client.Options.ApiVersion;
    /// <summary>The token's last four characters, for telling connections apart.</summary>
    public string MaskedToken { get; }
    public int MaxRetries => Client.Options.MaxRetries;
    public int TimeoutSec => (int)Client.Options.Timeout.TotalSeconds;
    public int MaxRateLimitWaitSec => (int)Client.Options.MaxRateLimitWait.TotalSeconds;
    /// <summary>The most of each rate-limit window this connection takes (Connect-Intercom -RateLimitShare); 1 when none was given.</summary>
    public double RateLimitShare => Client.Options.RateLimitShare ?? 1;
    public DateTimeOffset ConnectedAt { get; }
    /// <summary>
    /// The journal every change cmdlet on this connection writes unless given its own -JournalPath
    /// (Connect-Intercom -JournalPath); null for none.
    /// </summary>
    public string? JournalPath { get; internal set; }
    public bool IsOpen => !IsClosed;

    internal IntercomClient Client { get; }
    internal SubscriptionTypeCache SubscriptionTypes => _types;
    internal ContactLookupCache Contacts { get; }
    internal bool IsClosed { get; private set; }

    internal void Close()
    {
        if (IsClosed) return;
        IsClosed = true;
        Contacts.Dispose();
        Client.Dispose();
    }

    public override string ToString() => $"Intercom {Region} {BaseUri} (API {ApiVersion}, token {MaskedToken})";

    /// <summary>Short tokens are masked whole: four characters of an eight-character token is too much.</summary>
    internal static string Mask(string token) =>
        token.Length < 16 ? "****" : "****" + token.Substring(token.Length - 4);
}
