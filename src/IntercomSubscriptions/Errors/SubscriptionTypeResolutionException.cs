namespace IntercomSubscriptions;

/// <summary>A subscription type name or id that the workspace does not have (or has twice). Public: it reaches PowerShell as the Exception of the record's ErrorRecord.</summary>
public sealed class SubscriptionTypeResolutionException : Exception
{
    public SubscriptionTypeResolutionException(string message) : base(message) { }
}
