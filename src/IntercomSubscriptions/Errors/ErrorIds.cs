namespace IntercomSubscriptions;

/// <summary>
/// Every ErrorRecord id this module writes, in one place: scripts match on them
/// (<c>$_.FullyQualifiedErrorId -like 'IntercomContactNotFound,*'</c>, <c>$_.Exception.ErrorId</c>),
/// so they are part of the public contract. The tests hold their own copy as literals and compare
/// it with this list, so that changing an id fails a test rather than passing unseen.
/// </summary>
internal static class ErrorIds
{
    public const string NotConnected = "IntercomNotConnected";
    public const string ConnectionClosed = "IntercomConnectionClosed";
    public const string TokenMissing = "IntercomTokenMissing";
    public const string InvalidBaseUri = "IntercomInvalidBaseUri";
    public const string InvalidToken = "IntercomInvalidToken";

    public const string ContactNotFound = "IntercomContactNotFound";
    public const string ContactAmbiguous = "IntercomContactAmbiguous";
    public const string ContactColumnMissing = "IntercomContactColumnMissing";
    public const string ContactConflict = "IntercomContactConflict";
    public const string SubscriptionTypeNotFound = "IntercomSubscriptionTypeNotFound";
    public const string SubscriptionColumnMissing = "IntercomSubscriptionColumnMissing";
    public const string SubscriptionTypeConflict = "IntercomSubscriptionTypeConflict";
    public const string ConsentMismatch = "IntercomConsentMismatch";
    public const string StateColumnMissing = "IntercomStateColumnMissing";
    public const string InvalidArgument = "IntercomInvalidArgument";

    public const string NotFound = "IntercomNotFound";
    public const string Unauthorized = "IntercomUnauthorized";
    public const string Forbidden = "IntercomForbidden";
    public const string InvalidRequest = "IntercomInvalidRequest";
    public const string RateLimited = "IntercomRateLimited";
    public const string ServerError = "IntercomServerError";
    public const string ConnectionFailed = "IntercomConnectionFailed";
    public const string Timeout = "IntercomTimeout";
    public const string InvalidResponse = "IntercomInvalidResponse";
    public const string JournalFailed = "IntercomJournalFailed";
    public const string Error = "IntercomError";
    public const string UnexpectedError = "IntercomUnexpectedError";

    /// <summary>The id of <paramref name="error"/> as written: its FullyQualifiedErrorId without the ",Command" PowerShell appends.</summary>
    public static string Of(System.Management.Automation.ErrorRecord error) => error.FullyQualifiedErrorId.Split(',')[0];
}
