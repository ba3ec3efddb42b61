using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// What one record asks a contact cmdlet for, from its cells (<see cref="RecordColumns"/>): the
/// contacts it names, the subscription type, the consent, and whether it is a type's default that
/// Get-IntercomContactSubscription -IncludeDefault listed. Values are cleaned: empty cells are absent.
/// </summary>
internal sealed record RecordInput(ContactColumns Contacts, string? SubscriptionId, string? SubscriptionName, string? Consent, bool IsDefaultSource)
{
    /// <summary>The column of Get-IntercomContactSubscription's output that says whether a choice was made: no parameter reads it.</summary>
    public const string SourceColumn = "Source";

    public static RecordInput From(RecordCells cells) => new(
        new ContactColumns(cells.Values(nameof(ContactColumns.ContactId)), cells.Values(nameof(ContactColumns.Email)), cells.Values(nameof(ContactColumns.ExternalId))),
        cells.Single(nameof(SubscriptionId)),
        cells.Single(nameof(SubscriptionName)),
        // Consent arrives in any case, as PowerShell users expect; Intercom's spelling is lower case.
        cells.Single(nameof(Consent))?.ToLowerInvariant(),
        string.Equals(cells.Single(SourceColumn), nameof(SubscriptionSource.Default), StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Why a change cmdlet skips this record, for the Verbose stream; null when it does not. A record
    /// whose Source is Default says "no choice, the type's default applies": adding or removing it
    /// would turn a default into an explicit choice nobody made.
    /// </summary>
    public string? SkippedBecause() => IsDefaultSource
        ? $"Skipped {Described()}: its Source is Default (no choice was made), which is not a choice to copy."
        : null;

    /// <summary>The record's error when the values read from cells (which no binding attribute checked) cannot be used; null when they can.</summary>
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
        if (SubscriptionId is not null && Engine.IntercomIds.SubscriptionTypeIdProblem(SubscriptionId) is { } idProblem)
            return idProblem + " Get-IntercomSubscriptionType lists them.";
        if (Consent is not null and not ("opt_in" or "opt_out"))
            return $"The consent '{Consent}' is neither opt_in nor opt_out.";
        return null;
    }
}
