using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>
/// Brings contacts to the state asked for (Subscribed, Unsubscribed, Default) for a subscription
/// type: reads each contact's current choices first and writes only what differs.
/// </summary>
[Cmdlet(VerbsCommon.Set, "IntercomContactSubscription", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ContactSubscriptionChange), typeof(IntercomRunSummary))]
public sealed class SetIntercomContactSubscriptionCommand : IntercomConnectedCmdlet
{
    /// <summary>Subscribed (messages of the type reach the contact), Unsubscribed (they do not), or Default (no explicit choice).</summary>
    [Parameter(Position = 2, ValueFromPipelineByPropertyName = true)]
    public ContactSubscriptionState? State { get; set; }

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
    /// The most records in progress at once (1 = one after another; default 128, at most 256), for
    /// the reads and for the writes each. A cap: below it the connection sizes its requests in flight
    /// from the latency and Intercom's rate-limit headers it measures.
    /// </summary>
    [Parameter]
    [ValidateRange(1, ThrottleLimits.Maximum)]
    public int ThrottleLimit { get; set; } = ThrottleLimits.Default;

    /// <summary>
    /// Writes one IntercomRunSummary when the run ends (however it ends) instead of one object per
    /// record: counts, requests, retries, rate-limit waits and the failed records' errors. A record
    /// is counted once its write is done: already in the state asked for is a success, a change
    /// declined (-WhatIf, -Confirm) a skip, a failed read or write a failure.
    /// </summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    /// <summary>
    /// How long the run may send requests: after it nothing new is read, what is in flight finishes,
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

    private ContactRequests<CurrentChoice>? _reads;
    private SubscriptionStateWriter? _writes;
    private SubscriptionTypeResolver? _types;
    private bool _whatIf;
    private CommandLineInput? _commandLine;

    protected override void BeginProcessing()
    {
        if (CommandLineValues.EmptyValue(MyInvocation.BoundParameters,
                nameof(ContactId), nameof(Email), nameof(ExternalId), nameof(SubscriptionId), nameof(SubscriptionName)) is { } empty)
            ThrowTerminatingError(empty);
        base.BeginProcessing();
        _commandLine = CommandLineInput.Capture(MyInvocation.BoundParameters, ContactId, Email, ExternalId, SubscriptionId, SubscriptionName);
        _reads = NewContactRequests<CurrentChoice>("Setting contact subscriptions", ThrottleLimit, new ContactColumns(ContactId, Email, ExternalId),
            Summary.IsPresent, TimeLimit, SummaryVariable);
        _types = NewSubscriptionTypeResolver();
        _whatIf = WhatIfWanted();
        var client = ActiveConnection.Client;
        var events = EngineEvents;
        _writes = new SubscriptionStateWriter(ThrottleLimit, Pump, CancellationToken,
            (contactId, typeId, action, cancellationToken) => action == SubscriptionStatePlan.Remove
                ? client.DetachSubscriptionAsync(contactId, typeId, events, cancellationToken)
                : client.AttachSubscriptionAsync(contactId, typeId, action, events, cancellationToken),
            ShouldProcess,
            // -WhatIf writes no objects, not even for the records already in the state asked for: the counts say it.
            // -Summary writes only the summary.
            change => { if (!_whatIf && !Summary.IsPresent) WriteObject(change); });
        _reads.NextStepDrain = _writes.Complete;
    }

    protected override void ProcessRecord() => _reads!.ForRecord(ProcessContactRecord);

    private void ProcessContactRecord()
    {
        var record = RecordInput.Read(InputObject, _commandLine!, ContactId, Email, ExternalId, SubscriptionId, SubscriptionName);
        if (!record.Usable(InputObject, WriteVerbose, WriteRecordError)) return;
        var errorTarget = InputObject ?? record.GivenValue();
        var stateCell = State is null ? RecordCells.Of(InputObject).Single("state") : null;
        if ((State ?? ParseState(stateCell)) is not { } wanted)
        {
            WriteRecordError(IntercomErrors.InvalidArgument(stateCell is null
                    ? "The input names no state. Give State (a 'state' column): Subscribed, Unsubscribed or Default."
                    : $"The state '{stateCell}' is not Subscribed, Unsubscribed or Default.",
                errorTarget, ErrorIds.StateColumnMissing));
            return;
        }
        var type = _types!.Resolve(record.SubscriptionId, record.SubscriptionName, idMayBeUnknown: false, InputObject);
        if (type is null) return;
        if (SubscriptionStatePlan.For(type.ConsentType, hasChoice: false, wanted) is null)
        {
            WriteRecordError(IntercomErrors.ToErrorRecord(new ConsentMismatchException(
                $"Subscription type {type} has the consent type '{type.ConsentType}', which this module does not know, so whether {wanted} takes an opt-in, an opt-out or neither cannot be told. Use Add- or Remove-IntercomContactSubscription."),
                errorTarget ?? type.Id));
            return;
        }

        var client = ActiveConnection.Client;
        var writes = _writes!;
        // Reading changes nothing: ShouldProcess is asked by the writer, once the change is known.
        _reads!.SubmitFirstStep(record.Contacts.Targets(InputObject, WriteRecordError), InputObject, $", subscription type '{type.Id}'",
            async (contactId, cancellationToken) =>
            {
                var chosen = await client.ListContactSubscriptionsAsync(contactId, EngineEvents, cancellationToken).ConfigureAwait(false);
                return new CurrentChoice(contactId, chosen.Any(t => t.Id == type.Id));
            },
            (current, step) => writes.Submit(current, type, wanted, errorTarget ?? current.ContactId, step),
            (current, target) => current.Target = target);
    }

    protected override void EndProcessing()
    {
        _reads?.Complete(); // drains the writes too, before the summary
        if (_writes is { } writes && _whatIf)
        {
            var total = writes.Unchanged + writes.Declined;
            WriteInformation(new HostInformationMessage
            {
                Message = $"What if: {writes.Declined:N0} of {total:N0} contact subscriptions would change; {writes.Unchanged:N0} are already in the state asked for.",
            }, new[] { "PSHOST" });
        }
        base.EndProcessing();
    }

    /// <summary>A 'state' cell that PowerShell did not bind (a hashtable row, a header spelt otherwise), in any case.</summary>
    private static ContactSubscriptionState? ParseState(string? cell) =>
        cell is not null && Enum.TryParse<ContactSubscriptionState>(cell, ignoreCase: true, out var state) && Enum.IsDefined(typeof(ContactSubscriptionState), state)
            ? state
            : null;

    private bool WhatIfWanted() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var given)
            ? given is SwitchParameter flag && flag.IsPresent
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
}
