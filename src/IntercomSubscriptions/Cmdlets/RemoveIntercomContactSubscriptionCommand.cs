using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>Removes a contact's explicit choice for a subscription type, so the type's default applies again.</summary>
[Cmdlet(VerbsCommon.Remove, "IntercomContactSubscription", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ContactSubscription), typeof(IntercomRunSummary))]
public sealed class RemoveIntercomContactSubscriptionCommand : IntercomConnectedCmdlet
{
    /// <summary>Emit what now applies to the contact: the type at its default (Source Default).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

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
                nameof(ContactId), nameof(Email), nameof(ExternalId), nameof(SubscriptionId), nameof(SubscriptionName)) is { } empty)
            ThrowTerminatingError(empty);
        base.BeginProcessing();
        _commandLine = CommandLineInput.Capture(MyInvocation.BoundParameters, ContactId, Email, ExternalId, SubscriptionId, SubscriptionName);
        _requests = NewContactRequests<ContactSubscription>("Removing contact subscriptions", ThrottleLimit, new ContactColumns(ContactId, Email, ExternalId),
            Summary.IsPresent, TimeLimit, SummaryVariable);
        _types = NewSubscriptionTypeResolver();
    }

    protected override void ProcessRecord() => _requests!.ForRecord(ProcessContactRecord);

    private void ProcessContactRecord()
    {
        var record = RecordInput.Read(InputObject, _commandLine!, ContactId, Email, ExternalId, SubscriptionId, SubscriptionName);
        if (!record.Usable(InputObject, WriteVerbose, WriteRecordError)) return;
        var type = _types!.Resolve(record.SubscriptionId, record.SubscriptionName, idMayBeUnknown: true, InputObject);
        if (type is null) return;
        var client = ActiveConnection.Client;
        var passThru = PassThru.IsPresent;
        _requests!.Submit(record.Contacts.Targets(InputObject, WriteRecordError), InputObject,
            $"Remove the choice for subscription type {type}", $", subscription type '{type.Id}'",
            async (contactId, cancellationToken) =>
            {
                var detached = await client.DetachSubscriptionAsync(contactId, type.Id, EngineEvents, cancellationToken).ConfigureAwait(false);
                // With the choice gone, the type's default is what applies to the contact.
                return ModelMapper.ToContactSubscription(contactId, detached, SubscriptionSource.Default);
            },
            subscription =>
            {
                if (passThru) WriteObject(subscription);
            },
            (subscription, target) => target.Stamp(subscription));
    }

    protected override void EndProcessing()
    {
        _requests?.Complete();
        base.EndProcessing();
    }
}
