using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>A record that names a contact in two ways (an id and an email, say) that do not agree. Public: it reaches PowerShell as the Exception of the record's ErrorRecord.</summary>
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
