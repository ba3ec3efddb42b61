using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// The exception of a failed record's error as a run summary keeps it: the message (which names the
/// contact and carries Intercom's request_id) and the failure's id, kind, status, request_id and
/// contact, without the stack trace or inner exception, so that a hundred of them serialise to
/// little. Public: it reaches PowerShell in <see cref="IntercomRunSummary.Errors"/>.
/// </summary>
public sealed class IntercomRecordException : IntercomException
{
    public IntercomRecordException(string message) : base(message, new(ErrorIds.Error, ErrorCategory.NotSpecified), IntercomFailureKind.Other)
    {
    }

    private IntercomRecordException(string message, IntercomErrorIdentity identity, IntercomException? failure)
        : base(message, identity, failure?.Kind ?? IntercomFailureKind.Other,
            failure?.StatusCode, failure?.ErrorCode, failure?.RequestId, failure?.ContactKey)
    {
    }

    /// <summary>The lean copy of <paramref name="error"/>'s failure, with <paramref name="message"/> (its full text).</summary>
    internal static IntercomRecordException Keeping(ErrorRecord error, string message)
    {
        var failure = error.Exception as IntercomException;
        return new IntercomRecordException(message, new(ErrorIds.Of(error), error.CategoryInfo.Category, failure?.RecommendedAction), failure);
    }
}
