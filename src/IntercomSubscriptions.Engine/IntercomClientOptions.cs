using System.Net;

namespace IntercomSubscriptions.Engine;

/// <summary>How one connection talks to Intercom.</summary>
internal sealed class IntercomClientOptions
{
    private double? _rateLimitShare;

    public IntercomClientOptions(Uri baseUri) => BaseUri = IntercomEndpoints.ValidateBaseUri(baseUri);

    public Uri BaseUri { get; }
    public string ApiVersion { get; set; } = IntercomEndpoints.DefaultApiVersion;
    /// <summary>
    /// Retries for 5xx, 408, timeouts and network failures (429s wait for the window instead). With 0,
    /// connections are not reused, so that .NET's own silent re-send of a request whose pooled
    /// connection was found closed cannot happen either: each request is sent once.
    /// </summary>
    public int MaxRetries { get; set; } = 3;
    /// <summary>
    /// How long a request may wait for Intercom's rate limit: a Retry-After up to this is waited out,
    /// and a request that keeps getting 429s is retried for this long. A longer Retry-After fails the
    /// waiting requests at once with a rate-limit error that says how long Intercom asked to wait.
    /// </summary>
    public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>
    /// The most of each rate-limit window this connection takes, as a share of the app's limit (more
    /// than 0, at most 1); null for none of its own. Without one, the connection still leaves other
    /// clients of the app the room it sees them using; with one, it never has more than this share of a
    /// window's limit counted in one window, for when another integration needs room it has not used yet
    /// (bursts) or several runs share the app by agreement.
    /// </summary>
    public double? RateLimitShare
    {
        get => _rateLimitShare;
        set
        {
            if (value is { } share && !(share > 0 && share <= 1))
                throw new ArgumentOutOfRangeException(nameof(value), share, "A share of the rate limit is more than 0 and at most 1.");
            _rateLimitShare = value;
        }
    }

    /// <summary>
    /// How long one attempt may take on the wire, answer body included: counted from when the request
    /// is sent, so waiting for the rate limit before sending is not part of it.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// Connections the handler may open to Intercom. .NET Framework allows 2 per host by default,
    /// which would serialise a bulk run; this is set per handler, never process-wide.
    /// </summary>
    public int MaxConnectionsPerServer { get; set; } = AdaptiveConcurrencyLimit.Maximum;
    /// <summary>First retry delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Null: the system proxy.</summary>
    public IWebProxy? Proxy { get; set; }
    public string UserAgent { get; set; } = "IntercomSubscriptions-PowerShell";
    /// <summary>Answers larger than this are refused rather than buffered.</summary>
    public int MaxResponseBytes { get; set; } = 16 * 1024 * 1024;
}
