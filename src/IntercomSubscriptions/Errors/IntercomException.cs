using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// The base of every exception this module puts in an ErrorRecord, so that one
/// <c>catch [IntercomSubscriptions.IntercomException]</c> catches every failure it reports, whether
/// Intercom answered it (<see cref="IntercomRequestException"/>) or the module found it before asking
/// (a contact no search finds, a row that names no contact, no connection). Each carries the stable
/// error id of its ErrorRecord, a kind, and what is known of the request and of the contact.
/// Only this assembly derives from it: the family is closed, and every member is public so that
/// scripts can name it.
/// </summary>
public abstract class IntercomException : Exception, IContainsErrorRecord
{
    private protected IntercomException(string message, IntercomErrorIdentity identity, IntercomFailureKind kind,
        int? statusCode = null, string? errorCode = null, string? requestId = null, string? contactKey = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorId = identity.Id;
        Category = identity.Category;
        RecommendedAction = identity.RecommendedAction;
        Kind = kind;
        StatusCode = statusCode;
        ErrorCode = errorCode;
        RequestId = requestId;
        ContactKey = contactKey;
    }

    /// <summary>The stable id of the error, as the ErrorRecord's FullyQualifiedErrorId begins: IntercomContactNotFound, IntercomRateLimited, …</summary>
    public string ErrorId { get; }

    public IntercomFailureKind Kind { get; }

    /// <summary>The ErrorRecord's category (ObjectNotFound, LimitsExceeded, …).</summary>
    public ErrorCategory Category { get; }

    /// <summary>The HTTP status Intercom answered with; null when no answer came, or nothing was sent.</summary>
    public int? StatusCode { get; }

    /// <summary>Intercom's own error code (not_found, parameter_invalid, …), when it answered with one.</summary>
    public string? ErrorCode { get; }

    /// <summary>Intercom's request_id, which Intercom support asks for; null when no answer carried one.</summary>
    public string? RequestId { get; }

    /// <summary>
    /// The contact the failed record named, as it named it: the Intercom id, email or external id
    /// given. Null when the failure is about the record or the run rather than one contact (a missing
    /// column, an unknown subscription type, no connection).
    /// </summary>
    public string? ContactKey { get; private set; }

    internal string? RecommendedAction { get; }

    /// <summary>The ErrorRecord PowerShell shows when this exception ends a command without one of the module's own.</summary>
    ErrorRecord IContainsErrorRecord.ErrorRecord =>
        new(this, ErrorId, Category, null) { ErrorDetails = new ErrorDetails(Message) { RecommendedAction = RecommendedAction } };

    /// <summary>
    /// This failure as one record's: a copy naming <paramref name="contactKey"/>, unless it names a
    /// contact already. A copy, because one exception may be the failure of several records (a
    /// search that failed for fifteen).
    /// </summary>
    internal IntercomException ForContact(string? contactKey)
    {
        if (contactKey is null || ContactKey is not null) return this;
        var copy = (IntercomException)MemberwiseClone();
        copy.ContactKey = contactKey;
        return copy;
    }
}

/// <summary>How an <see cref="IntercomException"/> appears as an ErrorRecord: its id, category and advice.</summary>
internal readonly record struct IntercomErrorIdentity(string Id, ErrorCategory Category, string? RecommendedAction = null);
