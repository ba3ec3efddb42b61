namespace IntercomSubscriptions;

/// <summary>A record that names a contact in two ways (an id and an email, say) that do not agree. Public: it reaches PowerShell as the Exception of the record's ErrorRecord.</summary>
public sealed class ContactConflictException : Exception
{
    public ContactConflictException(string message) : base(message) { }
}
