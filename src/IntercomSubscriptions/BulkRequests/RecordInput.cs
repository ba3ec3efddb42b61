using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// What one record asks a contact cmdlet for, from its cells (<see cref="RecordColumns"/>): the
/// contacts it names, the subscription type, the consent, and whether it is a type's default that
/// Get-IntercomContactSubscription -IncludeDefault listed. Values are cleaned: empty cells are absent.
/// </summary>
/// <param name="Unusable">Why the record cannot be used though its cells can (<see cref="InAnotherWorkspace"/>); null when it can.</param>
internal sealed record RecordInput(ContactColumns Contacts, string? SubscriptionId, string? SubscriptionName, string? Consent, bool IsDefaultSource,
    string? Unusable = null)
{
    /// <summary>The column of Get-IntercomContactSubscription's output that says whether a choice was made: no parameter reads it.</summary>
    public const string SourceColumn = "Source";

    public static RecordInput From(RecordCells cells) => new(
        new ContactColumns(cells.Values(nameof(ContactColumns.ContactId)), cells.Values(nameof(ContactColumns.Email)), cells.Values(nameof(ContactColumns.ExternalId))),
        cells.Single(nameof(SubscriptionId)),
        cells.Single(nameof(SubscriptionName)),
        // Consent arrives in any case, as PowerShell users expect; Intercom's spelling is lower case. Any other value is kept as given, for its error to name.
        cells.Single(nameof(Consent)) is { } consent ? ColumnValueRules.Consent(consent) ?? consent : null,
        string.Equals(cells.Single(SourceColumn), nameof(SubscriptionSource.Default), StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// This record as read through another connection than the one it came from (<paramref name="read"/>):
    /// the contact by its email (or, without one, its external id) and the type by its name, since the
    /// ids are the other workspace's. What the command line gives (<paramref name="decidedByCommandLine"/>
    /// says which columns) is left as it is.
    /// </summary>
    public RecordInput InAnotherWorkspace(WorkspaceRecord read, Func<string, bool> decidedByCommandLine)
    {
        var input = this;
        if (!decidedByCommandLine(nameof(ContactColumns.ContactId)))
        {
            input = input with
            {
                Contacts = new ContactColumns(null, read.Email is { } email ? new[] { email } : null,
                    read.Email is null && read.ExternalId is { } externalId ? new[] { externalId } : null),
            };
            if (read.Email is null && read.ExternalId is null)
                input = input with { Unusable = $"The record was read through another connection, and names its contact only by that workspace's id ('{Contacts.ContactId?.FirstOrDefault()}'). "
                    + "Read it by -Email or -ExternalId (or with -IncludeDefault, which reads the contact's email), or give -ContactId." };
        }
        if (!decidedByCommandLine(nameof(SubscriptionId)) && input.Unusable is null)
        {
            input = input with { SubscriptionId = null, SubscriptionName = read.TypeName };
            if (read.TypeName is null)
                input = input with { Unusable = $"The record was read through another connection, and its subscription type '{SubscriptionId}' has no name to find it by in this workspace. Give -SubscriptionId or -SubscriptionName." };
        }
        return input;
    }

    /// <summary>
    /// Why a change cmdlet skips this record, for the Verbose stream; null when it does not. A record
    /// whose Source is Default says "no choice, the type's default applies": adding or removing it
    /// would turn a default into an explicit choice nobody made.
    /// </summary>
    public string? SkippedBecause() => IsDefaultSource
        ? $"Skipped {Described()}: its Source is Default (no choice was made), which is not a choice to copy."
        : null;

    /// <summary>The record's error when the values read from its cells cannot be used (<see cref="ColumnValueRules"/>); null when they can.</summary>
    public ErrorRecord? Error(PSObject? inputObject) =>
        Problem() is { } problem ? IntercomErrors.InvalidArgument(problem, inputObject ?? GivenValue()) : null;

    /// <summary>What an error targets when no pipeline record came: the contact value(s) given.</summary>
    public object? GivenValue() => (Contacts.ContactId ?? Contacts.ExternalId ?? Contacts.Email) switch
    {
        null => SubscriptionId ?? SubscriptionName,
        { Length: 1 } one => one[0],
        var many => many,
    };

    private string Described() =>
        $"the record for contact '{GivenValue()}', subscription type '{SubscriptionId ?? SubscriptionName}'";

    private string? Problem()
    {
        if (Unusable is not null)
            return Unusable;
        if (SubscriptionId is not null && ColumnValueRules.SubscriptionIdProblem(SubscriptionId) is { } idProblem)
            return idProblem;
        if (Consent is not null and not ("opt_in" or "opt_out"))
            return ColumnValueRules.ConsentProblem(Consent);
        return null;
    }
}
