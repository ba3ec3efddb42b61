using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// What one record asks for: the values its parameters bound (cleaned: empty cells are absent,
/// values trimmed) and, for each one nothing bound, the record's own cell under any spelling of the
/// column's name (<see cref="RecordCells"/>).
/// </summary>
internal sealed record RecordInput(ContactColumns Contacts, string? SubscriptionId, string? SubscriptionName, string? Consent, bool IsDefaultSource)
{
    // Column names after RecordCells.NormaliseName. No "id": a contacts CSV's id column must not
    // be taken for a subscription type, nor a subscription type's Id for a contact.
    private static readonly string[] ContactIdNames = { "contactid", "intercomid", "intercomcontactid" };
    private static readonly string[] EmailNames = { "email", "emailaddress" };
    private static readonly string[] ExternalIdNames = { "externalid", "userid" };
    private static readonly string[] SubscriptionIdNames = { "subscriptionid", "subscriptiontypeid" };
    private static readonly string[] SubscriptionNameNames = { "subscriptionname", "subscriptiontypename" };
    private static readonly string[] ConsentNames = { "consent", "consenttype" };

    /// <param name="commandLine">What the command line named: it wins over the record's own columns.</param>
    public static RecordInput Read(PSObject? record, CommandLineInput commandLine, string[]? contactId, string[]? email, string[]? externalId,
        string? subscriptionId = null, string? subscriptionName = null, string? consent = null)
    {
        var cells = RecordCells.Of(record);
        var contacts = commandLine.Contacts ?? new ContactColumns(
            RecordCells.Clean(contactId) ?? cells.Many(ContactIdNames),
            RecordCells.Clean(email) ?? cells.Many(EmailNames),
            RecordCells.Clean(externalId) ?? cells.Many(ExternalIdNames));
        var (typeId, typeName) = commandLine.NamesType
            ? (commandLine.SubscriptionId, commandLine.SubscriptionName)
            : (RecordCells.Clean(subscriptionId) ?? cells.Single(SubscriptionIdNames), RecordCells.Clean(subscriptionName) ?? cells.Single(SubscriptionNameNames));
        return new RecordInput(contacts, typeId, typeName,
            (RecordCells.Clean(consent) ?? cells.Single(ConsentNames))?.ToLowerInvariant(),
            // Get-IntercomContactSubscription -IncludeDefault marks what the contact never chose.
            string.Equals(cells.Single("source"), nameof(SubscriptionSource.Default), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// A record of Get-IntercomContactSubscription -IncludeDefault that says "no choice, the type's
    /// default applies" (Source Default): adding or removing it would turn a default into an
    /// explicit choice nobody made, so it is skipped, saying so in the Verbose stream.
    /// </summary>
    private bool SkipsDefault(Action<string> writeVerbose)
    {
        if (IsDefaultSource)
            writeVerbose($"Skipped {Described()}: its Source is Default (no choice was made), which is not a choice to copy.");
        return IsDefaultSource;
    }

    /// <summary>
    /// Whether a change cmdlet goes on with this record: a Default record is skipped (said in the
    /// Verbose stream), and one whose values cannot be used gets its error, targeting the pipeline
    /// record or else the value given.
    /// </summary>
    public bool Usable(PSObject? inputObject, Action<string> writeVerbose, Action<ErrorRecord> writeRecordError)
    {
        if (SkipsDefault(writeVerbose)) return false;
        if (Problem() is not { } problem) return true;
        writeRecordError(IntercomErrors.InvalidArgument(problem, inputObject ?? GivenValue()));
        return false;
    }

    /// <summary>What an error targets when no pipeline record came: the contact value(s) given.</summary>
    public object? GivenValue() => (Contacts.ContactId ?? Contacts.ExternalId ?? Contacts.Email) switch
    {
        null => SubscriptionId ?? SubscriptionName,
        { Length: 1 } one => one[0],
        var many => many,
    };

    private string Described() =>
        $"the record for contact '{GivenValue()}', subscription type '{SubscriptionId ?? SubscriptionName}'";

    /// <summary>Why the values read from cells (which no binding attribute checked) cannot be used; null when they can.</summary>
    private string? Problem()
    {
        if (SubscriptionId is not null && Engine.IntercomIds.SubscriptionTypeIdProblem(SubscriptionId) is { } idProblem)
            return idProblem + " Get-IntercomSubscriptionType lists them.";
        if (Consent is not null and not ("opt_in" or "opt_out"))
            return $"The consent '{Consent}' is neither opt_in nor opt_out.";
        return null;
    }
}
