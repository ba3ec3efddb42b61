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
        var problem = IntercomIds.Problem(element is PSObject wrapped ? wrapped.BaseObject as string : element as string, What);
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
        var problem = IntercomIds.SubscriptionTypeIdProblem(element is PSObject wrapped ? wrapped.BaseObject as string : element as string);
        if (problem is not null)
            throw new ValidationMetadataException(problem + " Get-IntercomSubscriptionType lists them.");
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
