using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>Subscription type ids are Intercom's numbers ("108"): anything else fails while binding, naming the value.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class ValidateSubscriptionTypeIdAttribute : ValidateEnumeratedArgumentsAttribute
{
    protected override void ValidateElement(object element)
    {
        // An empty cell is an absent value (the record may name the type by name); values are trimmed.
        if (CellValue.Clean(element is PSObject wrapped ? wrapped.BaseObject as string : element as string) is not { } id) return;
        if (ColumnValueRules.SubscriptionIdProblem(id) is { } problem)
            throw new ValidationMetadataException(problem);
    }
}
