using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// A contact's subscription as this module output it (Get-IntercomContactSubscription's, Set's
/// record of a change), with the connection it came through and what names its contact and type
/// outside that workspace: the email (or external id) and the type's name. Intercom's ids belong to
/// one workspace (type 108 here is another type, or none, there), so a cmdlet using another
/// connection matches by these instead (<see cref="RecordInput.InAnotherWorkspace"/>).
/// </summary>
/// <remarks>
/// Only objects still in the session carry their connection: exported and imported, or through a
/// remote job, a record is plain values again and its ids are taken as they are.
/// </remarks>
internal readonly record struct WorkspaceRecord(IntercomConnection Workspace, string? Email, string? ExternalId, string? TypeName)
{
    /// <summary>The record's workspace and names when <paramref name="input"/> is one of these outputs; null otherwise.</summary>
    public static WorkspaceRecord? Of(PSObject? input) => input?.BaseObject switch
    {
        ContactSubscription { Workspace: { } workspace } read => new WorkspaceRecord(workspace, read.Email, read.ExternalId, read.Name),
        ContactSubscriptionChoice { Workspace: { } workspace } read => new WorkspaceRecord(workspace, read.Email, read.ExternalId, read.Name),
        ContactSubscriptionChange { Workspace: { } workspace } read => new WorkspaceRecord(workspace, read.Email, read.ExternalId, read.Name),
        _ => null,
    };
}
