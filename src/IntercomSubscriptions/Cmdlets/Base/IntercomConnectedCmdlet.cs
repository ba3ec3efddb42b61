using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// A cmdlet that talks to Intercom: uses -Connection when given, otherwise the session's default
/// from Connect-Intercom, and fails before any HTTP call when there is neither.
/// </summary>
public abstract class IntercomConnectedCmdlet : IntercomCmdlet
{
    private IntercomConnection? _active;
    private BulkRun? _bulkRun;

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
    /// Starts the bulk run of a contact cmdlet, in BeginProcessing: its lookups go through this
    /// connection's cache, its changes to this connection, its progress is reported under
    /// <paramref name="activity"/> (out of <paramref name="recordsGiven"/> when the records are
    /// parameters, not piped), and its summary ends the run at <paramref name="timeLimit"/>. This
    /// base completes the run in EndProcessing and disposes it with the cmdlet.
    /// </summary>
    /// <param name="writeSummary">-Summary: the run writes its summary instead of per-record results.</param>
    /// <param name="keepErrors">Whether anyone will see the summary (-Summary, -SummaryVariable): if not, its errors are only counted.</param>
    /// <param name="failedRecords">Where the run's failed records are written besides its summary; null for nowhere.</param>
    /// <param name="journal">The run's journal, which the run owns from now on; null for none.</param>
    private protected BulkRun StartBulkRun(string activity, int throttleLimit, long? recordsGiven,
        bool writeSummary = false, bool keepErrors = false, TimeSpan? timeLimit = null, FailedRecordsWriter? failedRecords = null,
        RunJournal? journal = null)
    {
        if (_bulkRun is not null) throw new InvalidOperationException("A cmdlet has one bulk run.");
        var connection = ActiveConnection;
        var client = connection.Client;
        var events = EngineEvents;
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        var summary = new RunSummaryCollector(MyInvocation.MyCommand.Name, () => elapsed.Elapsed, timeLimit, failedRecords, keepErrors, events.Counts);
        var progress = new ProgressReporter(activity, MyInvocation.ExpectingInput ? null : recordsGiven, () => elapsed.Elapsed, this);
        // One record at a time has no other lookups to share a search with: search at once.
        var gather = throttleLimit == 1 ? TimeSpan.Zero : ContactLookupBatcher.Gather;
        var contacts = new ContactResolver((field, value, cancellationToken) => connection.Contacts.FindAsync(field, value, gather, events, cancellationToken));
        return _bulkRun = new BulkRun(new BulkRunOptions(throttleLimit, writeSummary, StopsOnError(), Piped: MyInvocation.ExpectingInput), this, contacts,
            (change, options, cancellationToken) => change.Action == SubscriptionChange.Remove
                ? client.DetachSubscriptionAsync(change.ContactId, change.SubscriptionTypeId, events, cancellationToken, options)
                : client.AttachSubscriptionAsync(change.ContactId, change.SubscriptionTypeId, change.Action, events, cancellationToken, options),
            summary, progress, Pump, CancellationToken, journal,
            (contactId, subscriptionId, cancellationToken) => client.HasChoiceAsync(contactId, subscriptionId, events, cancellationToken));
    }

    /// <summary>Waits for what the bulk run still has in flight, hands it back, and writes its summary.</summary>
    protected override void EndProcessing()
    {
        _bulkRun?.Complete();
        base.EndProcessing();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _bulkRun?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>
    /// The subscription type resolver over this connection's cache, awaited on the pipeline thread.
    /// A refresh that fails while a list is held goes on with that list and says so once, as a
    /// warning: a run of thousands of records must not end because the list could not be re-read.
    /// </summary>
    /// <param name="writeRecordError">Where a record's error goes: its bulk run's, which counts it.</param>
    private protected SubscriptionTypeResolver NewSubscriptionTypeResolver(Action<ErrorRecord> writeRecordError) =>
        new(refresh =>
        {
            var held = Await(ActiveConnection.SubscriptionTypes.GetOrKeepAsync(refresh, EngineEvents, CancellationToken));
            if (held.RefreshFailure is { } failure)
            {
                WriteWarning($"Could not refresh the workspace's subscription types ({failure.Message}); going on with the list read at "
                    + $"{held.FetchedAt.ToLocalTime():HH:mm:ss}, and trying again in {SubscriptionTypeCache.RetryRefreshAfter.TotalSeconds:0} s.");
            }
            return held.Types;
        }, writeRecordError);

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
