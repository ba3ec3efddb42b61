using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Refuses an id that cannot be an Intercom id (empty, separators, dot segments, control
/// characters, too long) while binding, so no request is made and the error names the value.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class ValidateIntercomIdAttribute : ValidateEnumeratedArgumentsAttribute
{
    public ValidateIntercomIdAttribute(string what) => What = what;

    public string What { get; }

    protected override void ValidateElement(object element)
    {
        // An empty cell is an absent value (the record may name its contact another way); values are trimmed.
        if (RecordCells.Clean(element is PSObject wrapped ? wrapped.BaseObject as string : element as string) is not { } id) return;
        var problem = IntercomIds.Problem(id, What);
        if (problem is not null)
            throw new ValidationMetadataException(problem);
    }
}

/// <summary>Subscription type ids are Intercom's numbers ("108"): anything else fails while binding, naming the value.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class ValidateSubscriptionTypeIdAttribute : ValidateEnumeratedArgumentsAttribute
{
    protected override void ValidateElement(object element)
    {
        // An empty cell is an absent value (the record may name the type by name); values are trimmed.
        if (RecordCells.Clean(element is PSObject wrapped ? wrapped.BaseObject as string : element as string) is not { } id) return;
        var problem = IntercomIds.SubscriptionTypeIdProblem(id);
        if (problem is not null)
            throw new ValidationMetadataException(problem + " Get-IntercomSubscriptionType lists them.");
    }
}

/// <summary>
/// opt_in or opt_out, in any case and with surrounding spaces; an empty value is absent (the
/// type's own consent type). ValidateSet cannot say that an empty CSV cell means "not given".
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class ValidateConsentAttribute : ValidateEnumeratedArgumentsAttribute
{
    protected override void ValidateElement(object element)
    {
        var text = element is PSObject wrapped ? wrapped.BaseObject as string : element as string;
        var consent = RecordCells.Clean(text);
        if (consent is null || string.Equals(consent, "opt_in", StringComparison.OrdinalIgnoreCase)
            || string.Equals(consent, "opt_out", StringComparison.OrdinalIgnoreCase))
            return;
        throw new ValidationMetadataException($"The consent '{text}' is neither opt_in nor opt_out. Give opt_in or opt_out, or leave it out to use the subscription type's own consent type.");
    }
}

/// <summary>N.N, Preview or Unstable (the name Preview had before 2026).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class ValidateApiVersionAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var text = arguments is PSObject wrapped ? wrapped.BaseObject as string : arguments as string;
        if (!IntercomEndpoints.IsValidApiVersion(text))
            throw new ValidationMetadataException(
                $"The API version '{text}' is not one Intercom knows. Use a version number such as {IntercomEndpoints.DefaultApiVersion} or 2.16, or Preview (formerly Unstable).");
    }
}
