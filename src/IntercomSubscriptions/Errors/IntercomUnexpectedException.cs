using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// A failure the module did not foresee (a defect, or the runtime failing), reported as one record's
/// error (IntercomUnexpectedError) like any other, with what happened as the InnerException.
/// </summary>
public sealed class IntercomUnexpectedException : IntercomException
{
    public IntercomUnexpectedException(Exception innerException)
        : base(innerException.Message, new(ErrorIds.UnexpectedError, ErrorCategory.NotSpecified), IntercomFailureKind.Other, innerException: innerException)
    {
    }
}
