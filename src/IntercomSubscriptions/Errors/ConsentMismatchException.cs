using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>-Consent that contradicts the subscription type's consent model. Public: it reaches PowerShell as the Exception of the record's ErrorRecord.</summary>
public sealed class ConsentMismatchException : IntercomException
{
    public ConsentMismatchException(string message)
        : base(message, new(ErrorIds.ConsentMismatch, ErrorCategory.InvalidArgument, "Omit -Consent to use the subscription type's own consent type."),
            IntercomFailureKind.InvalidInput)
    {
    }
}
