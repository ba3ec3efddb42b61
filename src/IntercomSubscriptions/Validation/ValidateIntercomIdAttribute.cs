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
        if (CellValue.Clean(element is PSObject wrapped ? wrapped.BaseObject as string : element as string) is not { } id) return;
        var problem = IntercomIds.Problem(id, What);
        if (problem is not null)
            throw new ValidationMetadataException(problem);
    }
}
