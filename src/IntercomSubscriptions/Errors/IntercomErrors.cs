using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Turns what went wrong into ErrorRecords whose exception is one of the public
/// <see cref="IntercomException"/> family, with its stable id (<see cref="ErrorIds"/>) and category.
/// The message keeps Intercom's code, message and request_id, which Intercom support asks for. An
/// engine exception never reaches PowerShell: it becomes an <see cref="IntercomRequestException"/>,
/// a type scripts can name.
/// </summary>
internal static class IntercomErrors
{
    private const string NotConnectedMessage = "Not connected to Intercom. Run Connect-Intercom first, or pass a connection with -Connection.";

    /// <param name="subject">What failed, put before the message (e.g. "Contact 'ada@example.com'").</param>
    /// <param name="contactKey">The contact the record named (id, email or external id), when the failure is about one.</param>
    public static ErrorRecord ToErrorRecord(Exception exception, object? target, string? subject = null, string? contactKey = null) =>
        ToErrorRecord(Public(exception, contactKey), target, subject);

    private static ErrorRecord ToErrorRecord(IntercomException shown, object? target, string? subject) =>
        new(shown, shown.ErrorId, shown.Category, target)
        {
            ErrorDetails = new ErrorDetails(subject is null ? shown.Message : $"{subject}: {shown.Message}")
            {
                RecommendedAction = shown.RecommendedAction,
            },
        };

    /// <summary>
    /// The exception as PowerShell may see it: a member of the public family, engine types mapped
    /// to <see cref="IntercomRequestException"/>, anything unforeseen wrapped, naming
    /// <paramref name="contactKey"/> when given.
    /// </summary>
    internal static IntercomException Public(Exception exception, string? contactKey = null) => (exception switch
    {
        IntercomException known => known,
        JournalWriteException journal => new IntercomJournalException(journal.Message, journal.Path, null),
        IntercomApiException api => new IntercomRequestException(api.Message, EngineFailureKinds.ToPublic(api.Kind), api.StatusCode, api.ErrorCode, api.RequestId),
        _ when FromEngine(exception) => new IntercomRequestException(exception.Message, IntercomFailureKind.Other, null, null, null),
        // The engine's client throws it once Disconnect-Intercom has closed the connection a run was using.
        ObjectDisposedException => new IntercomNotConnectedException(exception.Message, closed: true),
        ArgumentException => new IntercomInputException(exception.Message),
        _ => new IntercomUnexpectedException(exception),
    }).ForContact(contactKey);

    /// <summary>
    /// <paramref name="exception"/> as the failure of the record that named <paramref name="contactKey"/>;
    /// exceptions that are not a record's failure (cancellation, the run's own signals) pass unchanged.
    /// </summary>
    public static Exception ForContact(Exception exception, string contactKey) =>
        exception is IntercomException or IntercomApiException || FromEngine(exception) ? Public(exception, contactKey) : exception;

    private static bool FromEngine(Exception exception) => exception.GetType().Assembly == typeof(IntercomClient).Assembly;

    public static ErrorRecord NotConnected() =>
        ToErrorRecord(new IntercomNotConnectedException(NotConnectedMessage, closed: false), null, null);

    /// <summary>A connection given with -Connection after Disconnect-Intercom closed it.</summary>
    public static ErrorRecord ConnectionClosed(IntercomConnection connection) =>
        ToErrorRecord(new IntercomNotConnectedException(
            $"The connection {connection} was closed by Disconnect-Intercom. Run Connect-Intercom again and use the connection it returns.", closed: true),
            connection, null);

    /// <summary>The journal at <paramref name="path"/> could not be written or read: the run ends, having sent nothing after it.</summary>
    public static ErrorRecord JournalFailed(Exception failure, string? path) =>
        ToErrorRecord(new IntercomJournalException(failure.Message, path, failure is JournalWriteException ? null : failure), path, null);

    public static ErrorRecord InvalidArgument(string message, object? target, string id = ErrorIds.InvalidArgument,
        ErrorCategory category = ErrorCategory.InvalidArgument) =>
        ToErrorRecord(new IntercomInputException(message, id, category), target, null);
}
