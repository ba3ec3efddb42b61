using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// A cmdlet that talks to Intercom: uses -Connection when given, otherwise the session's default
/// from Connect-Intercom, and fails before any HTTP call when there is neither.
/// </summary>
public abstract class IntercomConnectedCmdlet : IntercomCmdlet
{
    private IntercomConnection? _active;

    /// <summary>A connection from Connect-Intercom -PassThru; the session's default when omitted.</summary>
    [Parameter]
    [ValidateNotNull]
    public IntercomConnection? Connection { get; set; }

    internal IntercomConnection ActiveConnection => _active ??= ResolveConnection();

    protected override void BeginProcessing()
    {
        _ = ActiveConnection;
        base.BeginProcessing();
    }

    /// <summary>
    /// The collaborator a contact cmdlet builds in BeginProcessing: its requests go through the
    /// ordered window, resolve contacts through this connection's lookup cache, and report progress
    /// under <paramref name="activity"/>.
    /// </summary>
    private protected ContactRequests<TResult> NewContactRequests<TResult>(string activity, int throttleLimit, ContactColumns given)
    {
        var connection = ActiveConnection;
        var events = EngineEvents;
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        var progress = new ProgressReporter(activity, MyInvocation.ExpectingInput ? null : given.Count, () => elapsed.Elapsed, WriteProgress);
        // One record at a time has no other lookups to share a search with: search at once.
        var gather = throttleLimit == 1 ? TimeSpan.Zero : ContactLookupBatcher.Gather;
        var requests = new ContactRequests<TResult>(throttleLimit,
            new ContactResolver((field, value, cancellationToken) => connection.Contacts.FindAsync(field, value, gather, events, cancellationToken)),
            progress, Pump, ShouldProcess, WriteError, CancellationToken);
        WhileWaiting = requests.ReportProgress;
        return requests;
    }

    /// <summary>The subscription type resolver over this connection's cache, awaited on the pipeline thread.</summary>
    private protected SubscriptionTypeResolver NewSubscriptionTypeResolver() =>
        new(refresh => Await(ActiveConnection.SubscriptionTypes.GetAsync(refresh, EngineEvents, CancellationToken)), WriteError);

    private IntercomConnection ResolveConnection()
    {
        var connection = Connection ?? RunspaceConnectionStore.Current;
        if (connection is null || connection.IsClosed)
            ThrowTerminatingError(IntercomErrors.NotConnected());
        WriteVerbose($"Using {connection}.");
        return connection!;
    }
}
