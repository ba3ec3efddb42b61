using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>Records a contact's consent for a subscription type: opt_in or opt_out.</summary>
[Cmdlet(VerbsCommon.Add, "IntercomContactSubscription", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ContactSubscription), typeof(IntercomRunSummary))]
public sealed class AddIntercomContactSubscriptionCommand : ContactSubscriptionChangeCmdlet
{
    private readonly HashSet<string> _warnedTypes = new();

    /// <summary>opt_in or opt_out; the subscription type's own consent type when omitted.</summary>
    [Parameter(Position = 2, ValueFromPipelineByPropertyName = true)]
    [Alias("consent_type", "Consent Type", "consent-type", "ConsentType")]
    [ArgumentCompleter(typeof(ConsentCompleter))]
    public string? Consent { get; set; }

    private protected override string Activity => "Adding contact subscriptions";

    private protected override void ProcessRecord(RecordInput record, RecordCells cells)
    {
        var errorTarget = InputObject ?? record.GivenValue();
        var type = SubscriptionTypes.Resolve(record.SubscriptionId, record.SubscriptionName, idMayBeUnknown: record.Consent is not null, InputObject);
        if (type is null) return;
        var consent = record.Consent ?? type.ConsentType;
        if (ConsentProblem(type, consent) is { } mismatch)
        {
            Run.WriteRecordError(IntercomErrors.ToErrorRecord(new ConsentMismatchException(mismatch), errorTarget));
            return;
        }
        WarnIfNotLive(type);
        Run.SubmitChanges(TargetsOf(record), InputObject,
            $"Record {consent} for subscription type {type}", $", subscription type '{type.Id}'",
            contactId => SubscriptionChange.Of(contactId, type, consent!),
            (change, attached, target) =>
            {
                var subscription = ModelMapper.ToContactSubscription(change.ContactId, attached, SubscriptionSource.Explicit);
                target.Stamp(subscription);
                subscription.Workspace = ActiveConnection;
                WriteObject(subscription);
            });
    }

    /// <summary>An archived or draft type sends nothing: the choice is recorded, but the user should know. Once per type and run.</summary>
    private void WarnIfNotLive(SubscriptionType type)
    {
        if (type.State is "archived" or "draft" && _warnedTypes.Add(type.Id))
            WriteWarning($"Subscription type {type} is {type.State}: Intercom records the choice, but sends no messages of a {type.State} type.");
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
