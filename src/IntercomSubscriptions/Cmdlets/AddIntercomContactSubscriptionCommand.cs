using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>Records a contact's consent for a subscription type: opt_in or opt_out.</summary>
[Cmdlet(VerbsCommon.Add, "IntercomContactSubscription", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ContactSubscription), typeof(IntercomRunSummary))]
public sealed class AddIntercomContactSubscriptionCommand : IntercomConnectedCmdlet
{
    /// <summary>opt_in or opt_out; the subscription type's own consent type when omitted.</summary>
    [Parameter(Position = 2, ValueFromPipelineByPropertyName = true)]
    [Alias("consent_type", "ConsentType")]
    [ValidateConsent]
    [ArgumentCompleter(typeof(ConsentCompleter))]
    public string? Consent { get; set; }

    /// <summary>The contact's Intercom id, e.g. 63a07ddf05a32042dffac965.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("contact_id", "intercom_id")]
    [ValidateIntercomId("contact id")]
    public string[]? ContactId { get; set; }

    /// <summary>The contact's email, resolved through Intercom's contact search.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("email_address", "EmailAddress")]
    public string[]? Email { get; set; }

    /// <summary>Your own user id for the contact (Intercom's external_id), resolved through the contact search.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("external_id", "user_id", "UserId")]
    public string[]? ExternalId { get; set; }

    /// <summary>The subscription type's id, e.g. 108 (Get-IntercomSubscriptionType lists them).</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("subscription_id", "SubscriptionTypeId", "subscription_type_id")]
    [ValidateSubscriptionTypeId]
    [ArgumentCompleter(typeof(SubscriptionIdCompleter))]
    public string? SubscriptionId { get; set; }

    /// <summary>The subscription type's name (its default translation), instead of its id.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("subscription_name")]
    [ArgumentCompleter(typeof(SubscriptionNameCompleter))]
    public string? SubscriptionName { get; set; }

    /// <summary>
    /// The most records in progress at once (1 = one after another; default 128, at most 256). A
    /// cap, not a setting to tune: the module finds how many requests to keep in flight from the
    /// latency and Intercom's rate-limit headers it measures, and paces itself by those headers.
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
    /// The pipeline record as it came (a CSV row, say), so that an error names the very record that
    /// failed. Hidden: the real parameters bind from the same record by property name.
    /// </summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    private ContactRequests<ContactSubscription>? _requests;
    private SubscriptionTypeResolver? _types;

    private CommandLineInput? _commandLine;

    protected override void BeginProcessing()
    {
        if (CommandLineValues.EmptyValue(MyInvocation.BoundParameters,
                nameof(ContactId), nameof(Email), nameof(ExternalId), nameof(SubscriptionId), nameof(SubscriptionName), nameof(Consent)) is { } empty)
            ThrowTerminatingError(empty);
        base.BeginProcessing();
        _commandLine = CommandLineInput.Capture(MyInvocation.BoundParameters, ContactId, Email, ExternalId, SubscriptionId, SubscriptionName);
        _requests = NewContactRequests<ContactSubscription>("Adding contact subscriptions", ThrottleLimit, new ContactColumns(ContactId, Email, ExternalId),
            Summary.IsPresent, TimeLimit, SummaryVariable);
        _types = NewSubscriptionTypeResolver();
    }

    protected override void ProcessRecord() => _requests!.ForRecord(ProcessContactRecord);

    private void ProcessContactRecord()
    {
        var record = RecordInput.Read(InputObject, _commandLine!, ContactId, Email, ExternalId, SubscriptionId, SubscriptionName, Consent);
        if (!record.Usable(InputObject, WriteVerbose, WriteRecordError)) return;
        var errorTarget = InputObject ?? record.GivenValue();
        var type = _types!.Resolve(record.SubscriptionId, record.SubscriptionName, idMayBeUnknown: record.Consent is not null, InputObject);
        if (type is null) return;
        // Consent arrives in any case, as PowerShell users expect; RecordInput gives Intercom's own spelling.
        var consent = record.Consent ?? type.ConsentType;
        var mismatch = ConsentProblem(type, consent);
        if (mismatch is not null)
        {
            WriteRecordError(IntercomErrors.ToErrorRecord(new ConsentMismatchException(mismatch), errorTarget));
            return;
        }
        WarnIfNotLive(type);

        var client = ActiveConnection.Client;
        _requests!.Submit(record.Contacts.Targets(InputObject, WriteRecordError), InputObject,
            $"Record {consent} for subscription type {type}", $", subscription type '{type.Id}'",
            async (contactId, cancellationToken) =>
            {
                var attached = await client.AttachSubscriptionAsync(contactId, type.Id, consent!, EngineEvents, cancellationToken).ConfigureAwait(false);
                return ModelMapper.ToContactSubscription(contactId, attached, SubscriptionSource.Explicit);
            },
            subscription => WriteObject(subscription),
            (subscription, target) => target.Stamp(subscription));
    }

    private readonly HashSet<string> _warnedTypes = new();

    /// <summary>An archived or draft type sends nothing: the choice is recorded, but the user should know. Once per type and run.</summary>
    private void WarnIfNotLive(SubscriptionType type)
    {
        if (type.State is "archived" or "draft" && _warnedTypes.Add(type.Id))
            WriteWarning($"Subscription type {type} is {type.State}: Intercom records the choice, but sends no messages of a {type.State} type.");
    }

    protected override void EndProcessing()
    {
        _requests?.Complete();
        base.EndProcessing();
    }

    /// <summary>
    /// Attaching a contact records the one choice a type allows, its own consent type: Intercom would
    /// refuse or misread a -Consent that says the opposite, so it is explained and refused here.
    /// </summary>
    internal static string? ConsentProblem(SubscriptionType type, string? consent)
    {
        var label = $"Subscription type {type.Id}" + (type.Name is null ? "" : $" '{type.Name}'");
        if (consent is not ("opt_in" or "opt_out"))
            return $"{label} has the consent type '{type.ConsentType}', which this module does not know; give -Consent opt_in or opt_out.";
        if (type.ConsentType is not ("opt_in" or "opt_out") || type.ConsentType == consent)
            return null;
        return type.ConsentType == "opt_out"
            ? $"{label} is opt_out: contacts get its messages until they opt out, and adding a contact to it records that opt-out. -Consent opt_in cannot opt a contact in to it; to undo an opt-out, use Remove-IntercomContactSubscription."
            : $"{label} is opt_in: contacts get its messages only once they opt in, and adding a contact to it records that opt-in. -Consent opt_out cannot opt a contact out of it; to withdraw an opt-in, use Remove-IntercomContactSubscription.";
    }
}
