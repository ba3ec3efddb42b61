namespace IntercomSubscriptions;

/// <summary>
/// What the command line named, captured in BeginProcessing (before any pipeline record binds).
/// It decides for every record: `Get-IntercomContactSubscription -Email a@x | Add-… -ContactId c2`
/// copies to c2, although the piped objects carry an Email that binds by name; likewise a type
/// given on the command line is not second-guessed by a record's subscription columns.
/// </summary>
internal sealed record CommandLineInput(ContactColumns? Contacts, bool NamesType, string? SubscriptionId, string? SubscriptionName)
{
    public static CommandLineInput Capture(IDictionary<string, object> boundParameters, string[]? contactId, string[]? email, string[]? externalId,
        string? subscriptionId = null, string? subscriptionName = null)
    {
        var namesContact = boundParameters.ContainsKey("ContactId") || boundParameters.ContainsKey("Email") || boundParameters.ContainsKey("ExternalId");
        var namesType = boundParameters.ContainsKey("SubscriptionId") || boundParameters.ContainsKey("SubscriptionName");
        return new CommandLineInput(
            namesContact ? new ContactColumns(RecordCells.Clean(contactId), RecordCells.Clean(email), RecordCells.Clean(externalId)) : null,
            namesType, RecordCells.Clean(subscriptionId), RecordCells.Clean(subscriptionName));
    }
}
