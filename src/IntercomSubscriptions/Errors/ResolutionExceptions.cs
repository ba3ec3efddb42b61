using System.Management.Automation;

namespace IntercomSubscriptions;

// Public: these reach PowerShell as the Exception of a record's ErrorRecord.

/// <summary>An email or external id that names no contact, or more than one.</summary>
public sealed class ContactResolutionException : IntercomException
{
    public ContactResolutionException(string message, bool ambiguous) : this(message, ambiguous, contactKey: null)
    {
    }

    public ContactResolutionException(string message, bool ambiguous, string? contactKey)
        : base(message,
            ambiguous
                ? new(ErrorIds.ContactAmbiguous, ErrorCategory.InvalidArgument, "Give the contact's Intercom id with -ContactId.")
                : new(ErrorIds.ContactNotFound, ErrorCategory.ObjectNotFound, "New contacts can take a few minutes to become searchable in Intercom."),
            ambiguous ? IntercomFailureKind.ContactAmbiguous : IntercomFailureKind.ContactNotFound, contactKey: contactKey)
        => IsAmbiguous = ambiguous;

    public bool IsAmbiguous { get; }
}

/// <summary>A subscription type name or id that the workspace does not have (or has twice).</summary>
public sealed class SubscriptionTypeResolutionException : IntercomException
{
    public SubscriptionTypeResolutionException(string message)
        : base(message, new(ErrorIds.SubscriptionTypeNotFound, ErrorCategory.ObjectNotFound, "Get-IntercomSubscriptionType lists the subscription types of this workspace."),
            IntercomFailureKind.SubscriptionTypeNotFound)
    {
    }
}

/// <summary>-Consent that contradicts the subscription type's consent model.</summary>
public sealed class ConsentMismatchException : IntercomException
{
    public ConsentMismatchException(string message)
        : base(message, new(ErrorIds.ConsentMismatch, ErrorCategory.InvalidArgument, "Omit -Consent to use the subscription type's own consent type."),
            IntercomFailureKind.InvalidInput)
    {
    }
}

/// <summary>A record that names a contact in two ways (an id and an email, say) that do not agree.</summary>
public sealed class ContactConflictException : IntercomException
{
    public ContactConflictException(string message) : this(message, contactKey: null)
    {
    }

    public ContactConflictException(string message, string? contactKey)
        : base(message, new(ErrorIds.ContactConflict, ErrorCategory.InvalidArgument, "Give one way of naming the contact, or correct the row."),
            IntercomFailureKind.InvalidInput, contactKey: contactKey)
    {
    }
}
