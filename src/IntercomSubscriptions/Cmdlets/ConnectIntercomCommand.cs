using System.Management.Automation;
using System.Net;
using System.Security;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.Commands;

/// <summary>
/// <para type="synopsis">Connects this PowerShell session to an Intercom workspace.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "Intercom", DefaultParameterSetName = TokenSet)]
[OutputType(typeof(IntercomConnection))]
public sealed class ConnectIntercomCommand : IntercomCmdlet
{
    private const string TokenSet = "Token";
    private const string CredentialSet = "Credential";
    internal const string TokenVariable = "INTERCOM_ACCESS_TOKEN";

    /// <summary>The access token, as a SecureString. Omit it (and -Credential) to use $env:INTERCOM_ACCESS_TOKEN.</summary>
    [Parameter(ParameterSetName = TokenSet, Position = 0)]
    [ValidateNotNull]
    public SecureString? Token { get; set; }

    /// <summary>A credential whose password is the access token (the user name is ignored), as Azure Automation keeps them.</summary>
    [Parameter(ParameterSetName = CredentialSet, Mandatory = true)]
    [ValidateNotNull]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    [ValidateSet("US", "EU", "AU")]
    public string Region { get; set; } = "US";

    [Parameter]
    [ValidateNotNull]
    public Uri? BaseUri { get; set; }

    [Parameter]
    [ValidateApiVersion]
    [ArgumentCompleter(typeof(ApiVersionCompleter))]
    public string ApiVersion { get; set; } = IntercomEndpoints.DefaultApiVersion;

    [Parameter]
    [ValidateRange(0, 10)]
    public int MaxRetries { get; set; } = 3;

    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 30;

    /// <summary>
    /// How long, in seconds, a request may wait for Intercom's rate limit (Retry-After, a spent
    /// window, repeated 429s) before it fails with IntercomRateLimited. 0 = never wait past a 429.
    /// </summary>
    [Parameter]
    [ValidateRange(0, 10800)]
    public int MaxRateLimitWaitSec { get; set; } = 300;

    /// <summary>
    /// The most of each of Intercom's rate-limit windows this connection takes, as a share of the app's
    /// limit (0.01 to 1). Without it the module still leaves other clients of the app the room it sees
    /// them using; give it when another integration needs room it may not have used yet.
    /// </summary>
    [Parameter]
    [ValidateRange(0.01, 1.0)]
    public double RateLimitShare { get; set; } = 1;

    [Parameter]
    [ValidateNotNull]
    public Uri? Proxy { get; set; }

    [Parameter]
    [ValidateNotNull]
    [Credential]
    public PSCredential? ProxyCredential { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>
    /// The journal Add-, Remove- and Set-IntercomContactSubscription write on this connection unless
    /// given -JournalPath of their own: every change, before it is sent and after its answer.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? JournalPath { get; set; }

    protected override void EndProcessing()
    {
        // Whatever happens next, a failed Connect-Intercom must not leave the previous workspace as
        // the default: a script that goes on after the error would change the wrong workspace.
        RunspaceConnectionStore.Set(null);
        using var token = ResolveToken();
        Uri baseUri;
        IntercomClientOptions options;
        try
        {
            baseUri = BaseUri ?? IntercomEndpoints.ForRegion(Region);
            options = new IntercomClientOptions(baseUri)
            {
                ApiVersion = ApiVersion,
                MaxRetries = MaxRetries,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
                MaxRateLimitWait = TimeSpan.FromSeconds(MaxRateLimitWaitSec),
                RateLimitShare = MyInvocation.BoundParameters.ContainsKey(nameof(RateLimitShare)) ? RateLimitShare : null,
                Proxy = CreateProxy(),
            };
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(IntercomErrors.InvalidArgument(ex.Message, ShownBaseUri(BaseUri), ErrorIds.InvalidBaseUri));
            return;
        }

        IntercomClient client;
        try { client = new IntercomClient(options, token); }
        catch (ArgumentException ex) { ThrowTerminatingError(IntercomErrors.InvalidArgument(ex.Message, null, ErrorIds.InvalidToken)); return; }
        var connection = new IntercomConnection(client, BaseUri is null ? Region.ToUpperInvariant() : "Custom", MaskToken(token))
        {
            // Resolved now: a relative path means the folder Connect-Intercom ran in, not wherever a later command runs.
            JournalPath = JournalPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(JournalPath),
        };
        // Known to the runspace from the start, so that Remove-Module closes it whatever happens next.
        RunspaceConnectionStore.Track(connection);
        IReadOnlyList<SubscriptionType> types;
        try
        {
            WriteVerbose($"Checking the token against {options.BaseUri} (API {options.ApiVersion}).");
            // One real request proves the token, and fills the subscription type cache completion uses.
            types = Await(connection.SubscriptionTypes.GetAsync(refresh: true, EngineEvents, CancellationToken));
        }
        catch (Exception ex)
        {
            // Whatever ended the check, Ctrl+C included, nothing holds this connection: close it now,
            // or its pooled sockets and the token stay until the garbage collector finds them.
            connection.Close();
            if (ex is PipelineStoppedException) throw;
            var subject = IntercomErrors.Public(ex) is { Kind: IntercomFailureKind.Unauthorized or IntercomFailureKind.Forbidden }
                ? "Intercom refused the token"
                : $"Could not connect to Intercom at {options.BaseUri}";
            ThrowTerminatingError(IntercomErrors.ToErrorRecord(ex, (object?)ShownBaseUri(BaseUri) ?? Region, subject));
            return;
        }

        RunspaceConnectionStore.Set(connection);
        WriteVerbose($"Connected to {connection}; the workspace has {types.Count} subscription types.");
        if (PassThru)
            WriteObject(connection);
    }

    private SecureString ResolveToken()
    {
        SecureString? token = ParameterSetName == CredentialSet ? Credential!.Password.Copy() : Token?.Copy();
        if (token is null)
        {
            var fromEnvironment = Environment.GetEnvironmentVariable(TokenVariable);
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                WriteVerbose($"Using the token in ${TokenVariable}.");
                token = new NetworkCredential(string.Empty, fromEnvironment!.Trim()).SecurePassword;
            }
        }
        if (token is null || token.Length == 0)
        {
            ThrowTerminatingError(IntercomErrors.InvalidArgument(
                $"No access token: give -Token or -Credential, or set the environment variable {TokenVariable}.", null, ErrorIds.TokenMissing));
        }
        return token!;
    }

    /// <summary>
    /// The base URI as an error may show it (PowerShell prints the target in the category line):
    /// without user info, query or fragment, which may hold secrets.
    /// </summary>
    private static string? ShownBaseUri(Uri? uri) => uri is null ? null
        : uri.IsAbsoluteUri ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
        : uri.OriginalString.Split('?', '#')[0];

    private WebProxy? CreateProxy()
    {
        if (Proxy is null) return null;
        return new WebProxy(Proxy) { Credentials = ProxyCredential?.GetNetworkCredential() };
    }

    private static string MaskToken(SecureString token) =>
        IntercomConnection.Mask(new NetworkCredential(string.Empty, token).Password);
}
