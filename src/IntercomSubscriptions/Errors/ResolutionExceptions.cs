namespace IntercomSubscriptions;

// Public: these reach PowerShell as the Exception of a record's ErrorRecord.

/// <summary>An email or external id that names no contact, or more than one.</summary>
public sealed class ContactResolutionException : Exception
{
    public ContactResolutionException(string message, bool ambiguous) : base(message) => IsAmbiguous = ambiguous;

    public bool IsAmbiguous { get; }
}

/// <summary>A subscription type name or id that the workspace does not have (or has twice).</summary>
public sealed class SubscriptionTypeResolutionException : Exception
{
    public SubscriptionTypeResolutionException(string message) : base(message) { }
}

/// <summary>-Consent that contradicts the subscription type's consent model.</summary>
public sealed class ConsentMismatchException : Exception
{
    public ConsentMismatchException(string message) : base(message) { }
}

/// <summary>A record that names a contact in two ways (an id and an email, say) that do not agree.</summary>
public sealed class ContactConflictException : Exception
{
    public ContactConflictException(string message) : base(message) { }
}
