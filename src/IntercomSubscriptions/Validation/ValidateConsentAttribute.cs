using System.Management.Automation;

namespace IntercomSubscriptions;

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
        var consent = CellValue.Clean(text);
        if (consent is null || string.Equals(consent, "opt_in", StringComparison.OrdinalIgnoreCase)
            || string.Equals(consent, "opt_out", StringComparison.OrdinalIgnoreCase))
            return;
        throw new ValidationMetadataException($"The consent '{text}' is neither opt_in nor opt_out. Give opt_in or opt_out, or leave it out to use the subscription type's own consent type.");
    }
}
