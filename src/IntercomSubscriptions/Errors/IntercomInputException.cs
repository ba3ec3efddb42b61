using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// A record or parameter value the module cannot use as given, found before anything is sent: a
/// row that names no contact or no subscription type, a malformed or empty value, a base URI or
/// token Connect-Intercom refuses. Its <see cref="IntercomException.ErrorId"/> says which
/// (IntercomContactColumnMissing, IntercomInvalidArgument, …). Not an ArgumentException: a .NET
/// exception has one base, and this family's is <see cref="IntercomException"/>.
/// </summary>
public sealed class IntercomInputException : IntercomException
{
    public IntercomInputException(string message) : this(message, ErrorIds.InvalidArgument)
    {
    }

    internal IntercomInputException(string message, string errorId, ErrorCategory category = ErrorCategory.InvalidArgument)
        : base(message, new(errorId, category), IntercomFailureKind.InvalidInput)
    {
    }
}
