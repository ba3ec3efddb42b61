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
    /// under <paramref name="activity"/>. Its run summary is written with <paramref name="summary"/>
    /// (-Summary), kept in <paramref name="summaryVariable"/> from the start (so a stopped run still
    /// has one), and ends the run at <paramref name="timeLimit"/>.
    /// </summary>
    private protected ContactRequests<TResult> NewContactRequests<TResult>(string activity, int throttleLimit, ContactColumns given,
        bool summary = false, TimeSpan? timeLimit = null, string? summaryVariable = null)
    {
        var connection = ActiveConnection;
        var events = EngineEvents;
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        var progress = new ProgressReporter(activity, MyInvocation.ExpectingInput ? null : given.Count, () => elapsed.Elapsed, WriteProgress);
        // One record at a time has no other lookups to share a search with: search at once.
        var gather = throttleLimit == 1 ? TimeSpan.Zero : ContactLookupBatcher.Gather;
        var run = new RunSummaryCollector(MyInvocation.MyCommand.Name, () => elapsed.Elapsed, timeLimit,
            keepErrors: summary || !string.IsNullOrEmpty(summaryVariable), counts: events.Counts);
        if (!string.IsNullOrEmpty(summaryVariable))
            SessionState.PSVariable.Set(summaryVariable, run.Summary);
        CancellationToken.Register(run.MarkStopped);
        var requests = new ContactRequests<TResult>(throttleLimit,
            new ContactResolver((field, value, cancellationToken) => connection.Contacts.FindAsync(field, value, gather, events, cancellationToken)),
            progress, Pump, ShouldProcess, WriteError, CancellationToken,
            run, summary ? new Action<IntercomRunSummary>(WriteObject) : null, WriteWarning, StopsOnError());
        WhileWaiting = requests.ReportProgress;
        _recordErrors = requests.WriteRecordError;
        return requests;
    }

    private Action<ErrorRecord>? _recordErrors;

    /// <summary>
    /// Writes the error of one input record found before any request. Goes through the contact
    /// requests once they exist, so that under -ErrorAction Stop what is in flight is reported first.
    /// </summary>
    private protected void WriteRecordError(ErrorRecord record) => (_recordErrors ?? WriteError)(record);

    /// <summary>
    /// The subscription type resolver over this connection's cache, awaited on the pipeline thread.
    /// A refresh that fails while a list is held goes on with that list and says so once, as a
    /// warning: a run of thousands of records must not end because the list could not be re-read.
    /// </summary>
    private protected SubscriptionTypeResolver NewSubscriptionTypeResolver() =>
        new(refresh =>
        {
            var held = Await(ActiveConnection.SubscriptionTypes.GetOrKeepAsync(refresh, EngineEvents, CancellationToken));
            if (held.RefreshFailure is { } failure)
            {
                WriteWarning($"Could not refresh the workspace's subscription types ({failure.Message}); going on with the list read at "
                    + $"{held.FetchedAt.ToLocalTime():HH:mm:ss}, and trying again in {SubscriptionTypeCache.RetryRefreshAfter.TotalSeconds:0} s.");
            }
            return held.Types;
        }, WriteRecordError);

    /// <summary>Whether a written error ends the run: -ErrorAction Stop, or $ErrorActionPreference = 'Stop' without -ErrorAction.</summary>
    private bool StopsOnError()
    {
        var preference = MyInvocation.BoundParameters.TryGetValue("ErrorAction", out var given) ? given : GetVariableValue("ErrorActionPreference");
        return LanguagePrimitives.TryConvertTo<ActionPreference>(preference, out var action) && action == ActionPreference.Stop;
    }

    private IntercomConnection ResolveConnection()
    {
        // A connection passed explicitly and closed since is not "no connection": say what happened to it.
        if (Connection is { IsClosed: true } closed)
            ThrowTerminatingError(IntercomErrors.ConnectionClosed(closed));
        var connection = Connection ?? RunspaceConnectionStore.Current;
        if (connection is null || connection.IsClosed)
            ThrowTerminatingError(IntercomErrors.NotConnected());
        WriteVerbose($"Using {connection}.");
        return connection!;
    }
}
