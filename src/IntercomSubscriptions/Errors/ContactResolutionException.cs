namespace IntercomSubscriptions;

/// <summary>An email or external id that names no contact, or more than one. Public: it reaches PowerShell as the Exception of the record's ErrorRecord.</summary>
public sealed class ContactResolutionException : Exception
{
    public ContactResolutionException(string message, bool ambiguous) : base(message) => IsAmbiguous = ambiguous;

    public bool IsAmbiguous { get; }
}
