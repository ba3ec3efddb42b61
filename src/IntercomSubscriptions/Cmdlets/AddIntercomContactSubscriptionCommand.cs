using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>Records a contact's consent for a subscription type: opt_in or opt_out.</summary>
[Cmdlet(VerbsCommon.Add, "IntercomContactSubscription", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ContactSubscription))]
public sealed class AddIntercomContactSubscriptionCommand : SubscriptionChangeCmdlet
{
    /// <summary>opt_in or opt_out; the subscription type's own consent type when omitted.</summary>
    [Parameter(Position = 2, ValueFromPipelineByPropertyName = true)]
    [Alias("consent_type", "ConsentType")]
    [ValidateSet("opt_in", "opt_out")]
    public string? Consent { get; set; }

    internal override string ProgressActivity => "Adding contact subscriptions";

    protected override void ProcessRecord()
    {
        var type = ResolveSubscriptionType(idMayBeUnknown: Consent is not null);
        if (type is null) return;
        // ValidateSet lets OPT_IN through, as PowerShell users expect; Intercom wants its own spelling.
        var consent = Consent?.ToLowerInvariant() ?? type.ConsentType;
        var mismatch = ConsentProblem(type, consent);
        if (mismatch is not null)
        {
            WriteError(IntercomErrors.ToErrorRecord(new ConsentMismatchException(mismatch), InputObject ?? (object?)consent));
            return;
        }

        var client = ActiveConnection.Client;
        SubmitForEachContact($"Record {consent} for subscription type {type}", $", subscription type '{type.Id}'",
            async (contactId, cancellationToken) =>
            {
                var attached = await client.AttachSubscriptionAsync(contactId, type.Id, consent!, EngineEvents, cancellationToken).ConfigureAwait(false);
                return ModelMapper.ToContactSubscription(contactId, attached, SubscriptionSource.Explicit);
            },
            subscription => WriteObject(subscription));
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
