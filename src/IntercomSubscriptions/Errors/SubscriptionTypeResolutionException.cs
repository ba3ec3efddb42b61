using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>A subscription type name or id that the workspace does not have (or has twice). Public: it reaches PowerShell as the Exception of the record's ErrorRecord.</summary>
public sealed class SubscriptionTypeResolutionException : IntercomException
{
    public SubscriptionTypeResolutionException(string message)
        : base(message, new(ErrorIds.SubscriptionTypeNotFound, ErrorCategory.ObjectNotFound, "Get-IntercomSubscriptionType lists the subscription types of this workspace."),
            IntercomFailureKind.SubscriptionTypeNotFound)
    {
    }
}
