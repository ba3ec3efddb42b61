using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>
/// Lists a contact's subscription choices; with -IncludeDefault, every type with its effective state
/// and whether its messages reach the contact at all; with -All, every contact's explicit choices.
/// </summary>
[Cmdlet(VerbsCommon.Get, "IntercomContactSubscription", DefaultParameterSetName = ContactSet)]
[OutputType(typeof(ContactSubscription), ParameterSetName = new[] { ContactSet })]
[OutputType(typeof(ContactSubscriptionChoice), ParameterSetName = new[] { AllSet })]
public sealed class GetIntercomContactSubscriptionCommand : IntercomConnectedCmdlet
{
    private const string ContactSet = "Contact";
    private const string AllSet = "All";

    private IReadOnlyList<SubscriptionType>? _allTypes;

    /// <summary>
    /// Also list the types the contact made no choice for (Source Default), so that Subscribed tells
    /// the effective state of every type: Intercom itself lists only explicit choices. Also reads
    /// the contact (one more call each) to fill WillReceive and Reason.
    /// </summary>
    [Parameter(ParameterSetName = ContactSet)]
    public SwitchParameter IncludeDefault { get; set; }

    /// <summary>Every contact of the workspace: streams their explicit choices, for audits.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

    /// <summary>With -All, only the choices for these subscription type ids.</summary>
    [Parameter(ParameterSetName = AllSet)]
    [ValidateSubscriptionTypeId]
    [ArgumentCompleter(typeof(SubscriptionIdCompleter))]
    public string[]? SubscriptionId { get; set; }

    /// <summary>With -All, only the choices for the subscription types of these names.</summary>
    [Parameter(ParameterSetName = AllSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SubscriptionNameCompleter))]
    public string[]? SubscriptionName { get; set; }

    // The contact parameters' aliases are ContactSubscriptionChangeCmdlet's: the same files feed both.

    /// <summary>The contact's Intercom id, e.g. 63a07ddf05a32042dffac965.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ContactSet)]
    [Alias("contact_id", "Contact ID", "contact-id", "intercom_id", "Intercom ID", "intercom-id", "IntercomId",
        "intercom_contact_id", "Intercom Contact ID", "intercom-contact-id", "IntercomContactId")]
    public string[]? ContactId { get; set; }

    /// <summary>The contact's email, resolved through Intercom's contact search.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ContactSet)]
    [Alias("email_address", "Email Address", "email-address", "EmailAddress", "E-mail", "E-mail Address")]
    public string[]? Email { get; set; }

    /// <summary>Your own user id for the contact (Intercom's external_id), resolved through the contact search.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ContactSet)]
    [Alias("external_id", "External ID", "external-id", "user_id", "User ID", "user-id", "UserId")]
    public string[]? ExternalId { get; set; }

    /// <summary>
    /// The most records in progress at once (1 = one after another; default 128, at most 256). A
    /// cap, not a setting to tune: the module finds how many requests to keep in flight from the
    /// latency and Intercom's rate-limit headers it measures, and paces itself by those headers.
    /// </summary>
    [Parameter]
    [ValidateRange(1, ThrottleLimits.Maximum)]
    public int ThrottleLimit { get; set; } = ThrottleLimits.Default;

    /// <summary>
    /// The pipeline record as it came (a CSV row, say), so that an error names the very record that
    /// failed. Hidden: the real parameters bind from the same record by property name.
    /// </summary>
    [Parameter(ValueFromPipeline = true, DontShow = true, ParameterSetName = ContactSet)]
    public PSObject? InputObject { get; set; }

    private RecordColumns? _columns;
    private BulkRun? _run;

    protected override void BeginProcessing()
    {
        _columns = new RecordColumns(this, MyInvocation.BoundParameters.Keys);
        if (_columns.RefusedOnCommandLine() is { } refused)
            ThrowTerminatingError(refused);
        base.BeginProcessing();
        if (All) return;
        _run = StartBulkRun("Reading contacts' subscriptions", ThrottleLimit, new ContactColumns(ContactId, Email, ExternalId).Count);
    }

    protected override void ProcessRecord()
    {
        if (All)
        {
            RunAudit();
            return;
        }
        _run!.ForRecord(ReadContactRecord);
    }

    private void ReadContactRecord()
    {
        var connection = ActiveConnection;
        var client = connection.Client;
        if (IncludeDefault)
            _allTypes ??= Await(ActiveConnection.SubscriptionTypes.GetAsync(refresh: false, EngineEvents, CancellationToken));
        var allTypes = _allTypes;
        var run = _run!;
        var cells = _columns!.Read(InputObject);
        if (cells.Conflict is { } conflict)
        {
            run.WriteRecordError(IntercomErrors.InvalidArgument(conflict.Message, InputObject, ErrorIds.ContactConflict));
            return;
        }
        var contacts = RecordInput.From(cells).Contacts;
        run.ContactsNamed(contacts.Count ?? 1);
        // Reading changes nothing: no ShouldProcess.
        run.SubmitReads(contacts.Targets(InputObject, run.WriteRecordError, run.WriteContactError), InputObject, "",
            async (contactId, cancellationToken) =>
            {
                // Only -IncludeDefault reads the contact itself: one more call per contact, made alongside.
                var contact = allTypes is null ? null : client.GetContactAsync(contactId, EngineEvents, cancellationToken);
                var chosen = await client.ListContactSubscriptionsAsync(contactId, EngineEvents, cancellationToken).ConfigureAwait(false);
                var subscriptions = chosen.Select(t => ModelMapper.ToContactSubscription(contactId, t, SubscriptionSource.Explicit)).ToList();
                if (allTypes is not null)
                {
                    // Archived types send nothing, so their default is no one's effective state.
                    subscriptions.AddRange(allTypes
                        .Where(t => t.State != "archived" && !subscriptions.Any(s => s.SubscriptionId == t.Id))
                        .Select(t => ModelMapper.ToContactSubscription(contactId, t, SubscriptionSource.Default)));
                }
                if (contact is not null)
                {
                    var read = await contact.ConfigureAwait(false);
                    var status = new EmailReach.EmailStatus(read.UnsubscribedFromEmails, read.HasHardBounced, read.MarkedEmailAsSpam);
                    foreach (var subscription in subscriptions)
                    {
                        EmailReach.Apply(subscription, status);
                        // Read anyway: what finds the contact in another workspace (Get … -Connection $a | Set … -Connection $b).
                        subscription.Email = read.Email;
                        subscription.ExternalId = read.ExternalId;
                    }
                }
                return subscriptions;
            },
            (subscriptions, target) =>
            {
                foreach (var subscription in subscriptions)
                {
                    target.Stamp(subscription);
                    subscription.Workspace = connection;
                }
                WriteObject(subscriptions, enumerateCollection: true);
            });
    }

    private void RunAudit()
    {
        var client = ActiveConnection.Client;
        var events = EngineEvents;
        var types = ActiveConnection.SubscriptionTypes;
        var allTypes = Await(types.GetAsync(refresh: false, events, CancellationToken));
        var only = AuditedTypeIds(ref allTypes);
        var byId = new Dictionary<string, SubscriptionType>(StringComparer.Ordinal);
        foreach (var type in allTypes) byId[type.Id] = type;

        var audit = new WorkspaceAudit(
            (cursor, cancellationToken) => client.ListContactsAsync(cursor, events, cancellationToken),
            (contactId, cancellationToken) => client.ListContactSubscriptionsAsync(contactId, events, cancellationToken),
            byId, only);
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        ProgressReporter? progress = null;
        long handedOut = 0; // contacts whose choices (or error) were written
        void ReportProgress()
        {
            // The total is known once the first page is in.
            if (progress is null && audit.ContactsSeen > 0)
                progress = new ProgressReporter("Reading every contact's subscription choices", audit.ContactsTotal, () => elapsed.Elapsed, this);
            progress?.Report(handedOut);
        }
        // Cancelled when the audit ends, however it ends: a page read ahead, and the contacts' own
        // calls, are not wanted once the pipeline took no more (break, Select-Object -First).
        using var auditEnds = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken);
        using var window = new OrderedRequestWindow<IReadOnlyList<ContactSubscriptionChoice>>(ThrottleLimit, () =>
        {
            Pump();
            ReportProgress();
        }, auditEnds.Token);
        // What the rest of the pipeline throws through a write (break or continue in ForEach-Object,
        // Select-Object -First, -ErrorAction Stop) is PowerShell's to handle, not an audit failure.
        var fromPipeline = false;
        void Write(Action write)
        {
            handedOut++;
            try { write(); }
            catch { fromPipeline = true; throw; }
        }
        try
        {
            audit.Run(window, page => Await(page, ReportProgress), choices => Write(() =>
                {
                    foreach (var choice in choices) choice.Workspace = ActiveConnection;
                    WriteObject(choices, enumerateCollection: true);
                }),
                (exception, contactId) => Write(() => WriteError(IntercomErrors.ToErrorRecord(exception, contactId, $"Contact '{contactId}'", contactId))),
                auditEnds.Token);
        }
        catch (Exception ex) when (!fromPipeline && ex is not PipelineStoppedException and not OperationCanceledException)
        {
            ThrowTerminatingError(IntercomErrors.ToErrorRecord(ex, null, "Reading the workspace's contacts"));
        }
        finally
        {
            auditEnds.Cancel();
        }
        progress?.Complete();
        WriteVerbose($"Read {audit.ContactsSeen:N0} contacts; {audit.FallbackCalls:N0} of them needed their own subscriptions call."
            + (audit.ContactsRepeated > 0 ? $" Intercom listed {audit.ContactsRepeated:N0} contacts more than once; each was read once." : ""));
    }

    /// <summary>
    /// The type ids -SubscriptionId and -SubscriptionName name (null: every type). An unknown one
    /// ends the run before any contact is read: an audit that silently left a type out would mislead.
    /// </summary>
    private HashSet<string>? AuditedTypeIds(ref IReadOnlyList<SubscriptionType> allTypes)
    {
        if (SubscriptionId is null && SubscriptionName is null) return null;
        var only = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<ErrorRecord>();
        var latest = allTypes;
        var resolver = new SubscriptionTypeResolver(
            refresh => latest = refresh ? Await(ActiveConnection.SubscriptionTypes.GetAsync(true, EngineEvents, CancellationToken)) : latest,
            problems.Add);
        foreach (var id in SubscriptionId ?? Array.Empty<string>())
            if (resolver.Resolve(id, null, idMayBeUnknown: false, null) is { } type) only.Add(type.Id);
        foreach (var name in SubscriptionName ?? Array.Empty<string>())
            if (resolver.Resolve(null, name, idMayBeUnknown: false, null) is { } type) only.Add(type.Id);
        allTypes = latest;
        if (problems.Count > 0) ThrowTerminatingError(problems[0]);
        return only;
    }

}
