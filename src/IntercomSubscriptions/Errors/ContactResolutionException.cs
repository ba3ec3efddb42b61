using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>An email or external id that names no contact, or more than one. Public: it reaches PowerShell as the Exception of the record's ErrorRecord.</summary>
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
