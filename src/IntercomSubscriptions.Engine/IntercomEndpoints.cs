namespace IntercomSubscriptions.Engine;

/// <summary>Where the API lives and which API versions the module will send.</summary>
internal static class IntercomEndpoints
{
    public static readonly IReadOnlyList<string> Regions = new[] { "US", "EU", "AU" };

    public const string DefaultApiVersion = "2.14";

    /// <summary>Versions offered for completion; any N.N is accepted, since Intercom adds versions often.</summary>
    public static readonly IReadOnlyList<string> KnownApiVersions = new[]
    {
        "2.7", "2.8", "2.9", "2.10", "2.11", "2.12", "2.13", "2.14", "2.15", "2.16", "Preview", "Unstable",
    };

    public static Uri ForRegion(string region) => region.ToUpperInvariant() switch
    {
        "US" => new Uri("https://api.intercom.io/"),
        "EU" => new Uri("https://api.eu.intercom.io/"),
        "AU" => new Uri("https://api.au.intercom.io/"),
        _ => throw new ArgumentException($"Unknown region '{region}'. Use one of: {string.Join(", ", Regions)}.", nameof(region)),
    };

    public static bool IsValidApiVersion(string? version) =>
        version is not null
        && (System.Text.RegularExpressions.Regex.IsMatch(version, @"\A[0-9]{1,2}\.[0-9]{1,2}\z")
            || string.Equals(version, "Preview", StringComparison.OrdinalIgnoreCase)
            || string.Equals(version, "Unstable", StringComparison.OrdinalIgnoreCase));

    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback
        || string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address));

    /// <summary>
    /// A base URI the token may be sent to: absolute, https (plain http only to this machine, for
    /// the fake server), no query or credentials. Returns it normalised with a trailing slash.
    /// </summary>
    public static Uri ValidateBaseUri(Uri uri)
    {
        if (!uri.IsAbsoluteUri)
            throw new ArgumentException($"The base URI '{uri}' is not absolute.");
        if (!string.IsNullOrEmpty(uri.UserInfo))
            throw new ArgumentException("The base URI must not carry credentials.");
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            throw new ArgumentException($"The base URI '{uri.GetLeftPart(UriPartial.Path)}' must not have a query or fragment.");
        var isHttps = uri.Scheme == Uri.UriSchemeHttps;
        var isLoopbackHttp = uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri);
        if (!isHttps && !isLoopbackHttp)
            throw new ArgumentException(
                $"The base URI '{uri.GetLeftPart(UriPartial.Path)}' must use https; plain http is allowed only to this machine (127.0.0.1, ::1, localhost).");
        var text = uri.GetLeftPart(UriPartial.Path);
        return new Uri(text.EndsWith("/", StringComparison.Ordinal) ? text : text + "/");
    }
}
