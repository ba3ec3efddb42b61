namespace IntercomSubscriptions;

/// <summary>-Consent that contradicts the subscription type's consent model. Public: it reaches PowerShell as the Exception of the record's ErrorRecord.</summary>
public sealed class ConsentMismatchException : Exception
{
    public ConsentMismatchException(string message) : base(message) { }
}
