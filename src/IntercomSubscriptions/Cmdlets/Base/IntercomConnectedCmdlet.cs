using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// A cmdlet that talks to Intercom: uses -Connection when given, otherwise the session's default
/// from Connect-Intercom, and fails before any HTTP call when there is neither.
/// </summary>
public abstract class IntercomConnectedCmdlet : IntercomCmdlet
{
    private IntercomConnection? _active;
    private Action<ErrorRecord>? _recordError;

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
        var run = new RunSummaryCollector(MyInvocation.MyCommand.Name, () => elapsed.Elapsed, timeLimit,
            keepErrors: summary || !string.IsNullOrEmpty(summaryVariable));
        if (!string.IsNullOrEmpty(summaryVariable))
            SessionState.PSVariable.Set(summaryVariable, run.Summary);
        CancellationToken.Register(run.MarkStopped);
        var requests = new ContactRequests<TResult>(throttleLimit,
            new ContactResolver((field, value, cancellationToken) => connection.Contacts.FindAsync(field, value, events, cancellationToken)),
            progress, Pump, ShouldProcess, base.WriteError, CancellationToken,
            run, summary ? new Action<IntercomRunSummary>(WriteObject) : null, WriteWarning, ErrorsStop());
        _recordError = requests.RecordError;
        WhileWaiting = requests.ReportProgress;
        return requests;
    }

    /// <summary>
    /// Every error a contact cmdlet writes for the record it is processing passes here, so the run
    /// summary counts the record as failed and keeps its error (errors of requests are counted by
    /// <see cref="ContactRequests{TResult}"/>, which writes through the base method).
    /// </summary>
    private protected new void WriteError(ErrorRecord errorRecord)
    {
        if (_recordError is not null) _recordError(errorRecord);
        else base.WriteError(errorRecord);
    }

    private bool ErrorsStop() =>
        MyInvocation.BoundParameters.TryGetValue("ErrorAction", out var given)
            ? given is ActionPreference.Stop
            : GetVariableValue("ErrorActionPreference") is ActionPreference.Stop;

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
