using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// What Add-, Remove- and Set-IntercomContactSubscription share: the contact (ContactId, Email or
/// ExternalId) and the subscription type (SubscriptionId or SubscriptionName) from the command line
/// or each piped record, the bulk run's -ThrottleLimit, -Summary, -TimeLimit and -SummaryVariable,
/// the journal (-JournalPath, -Resume), and the loop that reads each record and accounts it in the
/// run. Each cmdlet declares only its own parameters and what it does with one record
/// (<see cref="ProcessRecord(RecordInput, RecordCells)"/>).
/// </summary>
/// <remarks>
/// The aliases are the column names people really have in their files: PowerShell binds a record's
/// property by a parameter's name or alias, in any case but otherwise exactly, so each spelling is
/// listed (with a space, '_', '-' or nothing between the words). <see cref="RecordColumns"/> reads
/// them from here for what binding cannot do. The parameters a record binds carry no validation
/// attributes: the binder would refuse the whole record for one bad cell before ProcessRecord, and it
/// would be in no summary and no failed-records file. Their rules (<see cref="ColumnValueRules"/>)
/// make a bad cell its record's error, and a bad value typed on the command line ends the command in
/// BeginProcessing, before any request.
/// </remarks>
public abstract class ContactSubscriptionChangeCmdlet : IntercomConnectedCmdlet
{
    private RecordColumns? _columns;
    private BulkRun? _run;
    private SubscriptionTypeResolver? _types;

    /// <summary>The contact's Intercom id, e.g. 63a07ddf05a32042dffac965.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("contact_id", "Contact ID", "contact-id", "intercom_id", "Intercom ID", "intercom-id", "IntercomId",
        "intercom_contact_id", "Intercom Contact ID", "intercom-contact-id", "IntercomContactId")]
    public string[]? ContactId { get; set; }

    /// <summary>The contact's email, resolved through Intercom's contact search.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("email_address", "Email Address", "email-address", "EmailAddress", "E-mail", "E-mail Address")]
    public string[]? Email { get; set; }

    /// <summary>Your own user id for the contact (Intercom's external_id), resolved through the contact search.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("external_id", "External ID", "external-id", "user_id", "User ID", "user-id", "UserId")]
    public string[]? ExternalId { get; set; }

    /// <summary>The subscription type's id, e.g. 108 (Get-IntercomSubscriptionType lists them).</summary>
    /// <remarks>No "id" alias: a contacts file's id column must not be taken for a subscription type.</remarks>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("subscription_id", "Subscription ID", "subscription-id", "SubscriptionTypeId",
        "subscription_type_id", "Subscription Type ID", "subscription-type-id")]
    [ArgumentCompleter(typeof(SubscriptionIdCompleter))]
    public string? SubscriptionId { get; set; }

    /// <summary>The subscription type's name (its default translation), instead of its id.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("subscription_name", "Subscription Name", "subscription-name", "SubscriptionTypeName",
        "subscription_type_name", "Subscription Type Name", "subscription-type-name")]
    [ArgumentCompleter(typeof(SubscriptionNameCompleter))]
    public string? SubscriptionName { get; set; }

    /// <summary>
    /// The most records in progress at once (1 = one after another; default 128, at most 256). A cap,
    /// not a setting to tune: the connection finds how many requests to keep in flight from the
    /// latency and Intercom's rate-limit headers it measures.
    /// </summary>
    [Parameter]
    [ValidateRange(1, ThrottleLimits.Maximum)]
    public int ThrottleLimit { get; set; } = ThrottleLimits.Default;

    /// <summary>
    /// Writes one IntercomRunSummary when the run ends (however it ends) instead of one object per
    /// record: counts, requests, retries, rate-limit waits and the failed records' errors.
    /// </summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    /// <summary>
    /// How long the run may send requests: after it nothing new is sent, what is in flight finishes,
    /// and the summary's Handled says where to resume. For runbooks that must end before a job limit.
    /// </summary>
    [Parameter]
    [ValidateTimeLimit]
    public TimeSpan? TimeLimit { get; set; }

    /// <summary>A variable that holds the run summary from the start: still there after Ctrl+C, when PowerShell allows no more output.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SummaryVariable { get; set; }

    /// <summary>
    /// A file that records every change of the run, one JSON line each: before it is sent (on the disk
    /// before the request leaves) and after its answer. Appended to; created readable by its owner
    /// only. Connect-Intercom -JournalPath sets one for the session.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? JournalPath { get; set; }

    /// <summary>
    /// Reads the journal first and skips the records whose change it shows applied; a change it has in
    /// doubt is read from Intercom before it is sent again. For re-running the same input after a
    /// killed, stopped or timed-out run.
    /// </summary>
    [Parameter]
    public SwitchParameter Resume { get; set; }

    /// <summary>
    /// The CSV file to write every failed record to, readable by its owner only: created when the run
    /// starts (replacing a file of that name) and written as records fail, so that
    /// <c>Import-Csv</c> of it piped back in re-runs them. Without it, failed records go to a file in
    /// the module's folder in the temp directory, and only once more failed than the summary keeps.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? FailedRecordsPath { get; set; }

    /// <summary>
    /// The pipeline record as it came (a CSV row, say), so that an error names the very record that
    /// failed. Hidden: the real parameters bind from the same record by property name.
    /// </summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    /// <summary>Write-Progress's activity: what the cmdlet is doing to the contacts.</summary>
    private protected abstract string Activity { get; }

    /// <summary>Columns the cmdlet reads that are no parameter (Get-IntercomContactSubscription's Source, and for Set its Subscribed).</summary>
    private protected virtual string[] OtherColumns => new[] { RecordInput.SourceColumn };

    /// <summary>
    /// Whether a record whose Source is Default is skipped: for Add and Remove a default is not a
    /// choice to copy; for Set it is a state to bring the contact to.
    /// </summary>
    private protected virtual bool SkipsDefaultSource => true;

    /// <summary>The run the records go through, from BeginProcessing on.</summary>
    private protected BulkRun Run => _run ?? throw new InvalidOperationException("The run begins in BeginProcessing.");

    /// <summary>The workspace's subscription types, which the records name by id or name.</summary>
    private protected SubscriptionTypeResolver SubscriptionTypes => _types ?? throw new InvalidOperationException("The run begins in BeginProcessing.");

    protected override void BeginProcessing()
    {
        _columns = new RecordColumns(this, MyInvocation.BoundParameters.Keys, OtherColumns);
        if (_columns.RefusedOnCommandLine() is { } refused)
            ThrowTerminatingError(refused);
        var chosenPath = FailedRecordsPath is null ? null : FileSystemPath(FailedRecordsPath);
        base.BeginProcessing();
        var givenContacts = new ContactColumns(ContactId, Email, ExternalId);
        var keepErrors = Summary.IsPresent || !string.IsNullOrEmpty(SummaryVariable);
        var failedRecords = chosenPath is not null || keepErrors
            ? new FailedRecordsWriter(MyInvocation.MyCommand.Name, chosenPath, new FailedRecordRows(givenContacts.Given()), WriteWarning)
            : null;
        _run = StartBulkRun(Activity, ThrottleLimit, givenContacts.Count, Summary.IsPresent, keepErrors, TimeLimit, failedRecords, OpenJournal());
        // Set from the start, so that a stopped run still has its summary.
        if (!string.IsNullOrEmpty(SummaryVariable))
            SessionState.PSVariable.Set(SummaryVariable, _run.Summary);
        _types = NewSubscriptionTypeResolver(_run.WriteRecordError);
    }

    protected override void ProcessRecord() => Run.ForRecord(() =>
    {
        var cells = _columns!.Read(InputObject);
        if (cells.Conflict is { } conflict)
        {
            Run.WriteRecordError(IntercomErrors.InvalidArgument(conflict.Message, InputObject, conflict.Column switch
            {
                nameof(ContactId) or nameof(Email) or nameof(ExternalId) => ErrorIds.ContactConflict,
                nameof(SubscriptionId) or nameof(SubscriptionName) => ErrorIds.SubscriptionTypeConflict,
                _ => ErrorIds.InvalidArgument,
            }));
            return;
        }
        var record = RecordInput.From(cells);
        // Get's output piped from another connection (another workspace): its ids are that workspace's.
        if (WorkspaceRecord.Of(InputObject) is { } read && !ReferenceEquals(read.Workspace, ActiveConnection))
            record = record.InAnotherWorkspace(read, _columns.IsDecidedByCommandLine);
        if (SkipsDefaultSource && record.SkippedBecause() is { } skipped)
        {
            WriteVerbose(skipped);
            Run.SkipRecord();
            return;
        }
        Run.ContactsNamed(record.Contacts.Count ?? 1);
        if (record.Error(InputObject) is { } error)
        {
            Run.WriteRecordError(error);
            return;
        }
        ProcessRecord(record, cells);
    });

    /// <summary>
    /// -FailedRecordsPath as a file system path, relative to PowerShell's current location (not the
    /// process's); a path of another provider (Env:, HKLM:) ends the command before any request.
    /// </summary>
    private string FileSystemPath(string path)
    {
        string resolved;
        ProviderInfo provider;
        try
        {
            resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowTerminatingError(IntercomErrors.InvalidArgument($"-FailedRecordsPath '{path}' is not a path a file can be written to: {ex.Message}", path));
            throw;
        }
        if (provider.Name != "FileSystem")
            ThrowTerminatingError(IntercomErrors.InvalidArgument($"-FailedRecordsPath '{path}' is a path of the {provider.Name} provider; give a file system path.", path));
        return resolved;
    }

    /// <summary>
    /// What the cmdlet does with one record that names something usable: resolve its subscription
    /// type and submit its requests to <see cref="Run"/>. <paramref name="cells"/> holds the
    /// cmdlet's own columns (State).
    /// </summary>
    private protected abstract void ProcessRecord(RecordInput record, RecordCells cells);

    /// <summary>The contacts <paramref name="record"/> names, each error about one of them that contact's record's.</summary>
    private protected IReadOnlyList<ContactTarget> TargetsOf(RecordInput record) =>
        record.Contacts.Targets(InputObject, Run.WriteRecordError, Run.WriteContactError);

    /// <summary>
    /// The run's journal: -JournalPath, or the connection's (Connect-Intercom -JournalPath); null for
    /// none. -WhatIf sends nothing, so it writes none; with -Resume it still reads the journal, to show
    /// what would be skipped. One that cannot be opened (or read, for -Resume) ends the command before
    /// any request.
    /// </summary>
    private RunJournal? OpenJournal()
    {
        var path = JournalPath ?? ActiveConnection.JournalPath;
        if (path is null)
        {
            if (Resume.IsPresent)
                ThrowTerminatingError(IntercomErrors.InvalidArgument(
                    "-Resume reads the journal of the runs before: give -JournalPath (the same file as theirs), or set one with Connect-Intercom -JournalPath.",
                    null, ErrorIds.InvalidArgument));
            return null;
        }
        path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
        RunJournal journal;
        try
        {
            if (WhatIfWanted())
            {
                if (!Resume.IsPresent) return null;
                journal = RunJournal.ReadOnly(path, MyInvocation.MyCommand.Name);
            }
            else
            {
                journal = RunJournal.Open(path, MyInvocation.MyCommand.Name, ActiveConnection.BaseUri.ToString(), Resume.IsPresent, out var othersMayRead);
                if (othersMayRead)
                    WriteWarning($"The journal '{path}' may be read by other users of this machine, and it holds the emails and ids of the contacts changed: make it readable by its owner only (chmod 600).");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(IntercomErrors.JournalFailed(ex, path));
            return null;
        }
        if (journal.Resume is { } index)
        {
            WriteVerbose($"Resuming from the journal '{path}': {index.Pairs:N0} contact subscriptions in it, {index.InDoubt:N0} in doubt (read before they are sent again).");
            if (index.BadLines > 0)
                WriteWarning($"The journal '{path}' has {index.BadLines} lines that are not journal events (a line cut off by a crash, or edited); they were skipped.");
        }
        return journal;
    }

    private protected bool WhatIfWanted() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var given)
            ? given is SwitchParameter flag && flag.IsPresent
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
}
