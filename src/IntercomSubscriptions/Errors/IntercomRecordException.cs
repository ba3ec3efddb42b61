namespace IntercomSubscriptions;

/// <summary>
/// The exception of a failed record's error as a run summary keeps it: only the message (which
/// names the contact and carries Intercom's request_id). Public: it reaches PowerShell in
/// <see cref="IntercomRunSummary.Errors"/>.
/// </summary>
public sealed class IntercomRecordException : Exception
{
    public IntercomRecordException(string message) : base(message) { }
}
