namespace IntercomSubscriptions;

/// <summary>
/// What kind of failure an <see cref="IntercomException"/> reports: how Intercom answered (or failed
/// to), or what the module found wrong before asking. Coarser than <see cref="IntercomException.ErrorId"/>,
/// which tells, say, a missing contact column from a conflicting one (both <see cref="InvalidInput"/>).
/// New members are added at the end, so the numbers scripts may have stored keep their meaning.
/// </summary>
public enum IntercomFailureKind
{
    /// <summary>A failure of no other kind: an Intercom call that failed unclassified, or an unexpected error in the module.</summary>
    Other,
    /// <summary>No contact has the id, email or external id the record named.</summary>
    ContactNotFound,
    /// <summary>The workspace has no subscription type of that id or name.</summary>
    SubscriptionTypeNotFound,
    /// <summary>Intercom answered 404 about something other than a contact or a subscription type.</summary>
    NotFound,
    /// <summary>Intercom refused the access token (401).</summary>
    Unauthorized,
    /// <summary>Intercom refused the request for the app's scopes or the workspace's plan (403).</summary>
    Forbidden,
    /// <summary>Intercom refused the request as invalid (400, 422, …).</summary>
    InvalidRequest,
    /// <summary>Intercom's rate limit refused the request until its retries ran out (429).</summary>
    RateLimited,
    /// <summary>Intercom failed (5xx) until the retries ran out.</summary>
    ServerError,
    /// <summary>No answer: the connection could not be made, or dropped.</summary>
    ConnectionFailed,
    /// <summary>No answer in time (-TimeoutSec), or 408.</summary>
    Timeout,
    /// <summary>An answer that is not what Intercom sends (a proxy's page, JSON of the wrong shape, a listing that never ends).</summary>
    InvalidResponse,
    /// <summary>The record or a parameter cannot be used as given (a missing column, values that disagree, a malformed value); nothing was sent for it.</summary>
    InvalidInput,
    /// <summary>An email or external id that names more than one contact.</summary>
    ContactAmbiguous,
    /// <summary>No connection: Connect-Intercom was not run in this session (or failed).</summary>
    NotConnected,
    /// <summary>The connection was closed by Disconnect-Intercom.</summary>
    ConnectionClosed,
    /// <summary>The journal (-JournalPath) could not be written or read: the run sent nothing more.</summary>
    JournalFailed,
}
