using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// The journal (-JournalPath, or Connect-Intercom's) could not be written (a full disk, a read-only or
/// missing folder, a file another run is writing) or read (-Resume). The run sends nothing after it:
/// every change sent before it is still accounted in the summary, and the journal's lines up to the
/// failure are whole. A terminating error, whatever -ErrorAction says: a run that cannot keep its
/// record must not go on changing consent.
/// </summary>
public sealed class IntercomJournalException : IntercomException
{
    internal IntercomJournalException(string message, string? path, Exception? innerException)
        : base(message, new(ErrorIds.JournalFailed, ErrorCategory.WriteError,
            "Give -JournalPath a file on a disk with room that this user may write, or run without a journal."),
            IntercomFailureKind.JournalFailed, innerException: innerException)
    {
        Path = path;
    }

    /// <summary>The journal's path.</summary>
    public string? Path { get; }
}
