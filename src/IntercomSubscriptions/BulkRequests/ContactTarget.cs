using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// A contact named by id, or by email or external id still to be resolved. <see cref="MustMatch"/>
/// holds the other ways the same record named it, which must resolve to the same contact.
/// </summary>
internal readonly record struct ContactTarget(ContactSearchField? Field, string Value, ContactTarget[]? MustMatch = null)
{
    public string FieldName => Field == ContactSearchField.Email ? "email" : "external id";

    public override string ToString() => Field is null ? $"Contact '{Value}'" : $"Contact with {FieldName} '{Value}'";

    /// <summary>The email and external id this target was named by (itself or a corroborating value), for output that joins back to the input.</summary>
    public string? Lookup(ContactSearchField field) =>
        Field == field ? Value : MustMatch?.FirstOrDefault(t => t.Field == field).Value;

    /// <summary>
    /// Puts what the record was looked up by on the output, so results join back to the CSV (over the
    /// contact's own email or external id where the output already has them, which may differ in case).
    /// </summary>
    public void Stamp(ContactSubscription subscription)
    {
        subscription.Email = Lookup(ContactSearchField.Email) ?? subscription.Email;
        subscription.ExternalId = Lookup(ContactSearchField.ExternalId) ?? subscription.ExternalId;
    }

    /// <inheritdoc cref="Stamp(ContactSubscription)"/>
    public void Stamp(ContactSubscriptionChange change)
    {
        change.Email ??= Lookup(ContactSearchField.Email);
        change.ExternalId ??= Lookup(ContactSearchField.ExternalId);
    }
}
