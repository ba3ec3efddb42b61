using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>Turns a <see cref="ContactTarget"/> into an Intercom contact id, searching (through the connection's lookup cache) when it names an email or external id.</summary>
internal sealed class ContactResolver
{
    private readonly Func<ContactSearchField, string, CancellationToken, Task<IReadOnlyList<ContactData>>> _search;

    /// <param name="search">The contact search: the connection's <see cref="ContactLookupCache"/> in the cmdlets.</param>
    public ContactResolver(Func<ContactSearchField, string, CancellationToken, Task<IReadOnlyList<ContactData>>> search) => _search = search;

    /// <summary>The contact's Intercom id: as given, or found by email or external id (one match exactly).</summary>
    public async Task<string> ResolveAsync(ContactTarget target, CancellationToken cancellationToken)
    {
        if (target.Field is not { } field)
            return target.Value;
        var matches = await _search(field, target.Value, cancellationToken).ConfigureAwait(false);
        return matches.Count switch
        {
            1 => matches[0].Id,
            0 => throw new ContactResolutionException($"No Intercom contact has the {target.FieldName} '{target.Value}'.", ambiguous: false),
            _ => throw new ContactResolutionException(
                $"The {target.FieldName} '{target.Value}' matches {matches.Count} contacts: "
                + string.Join(", ", matches.Select(m => $"{m.Id} ({m.Role ?? "contact"})")) + ". Give one of them with -ContactId.",
                ambiguous: true),
        };
    }
}
