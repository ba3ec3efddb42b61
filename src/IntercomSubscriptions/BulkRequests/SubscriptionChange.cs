namespace IntercomSubscriptions;

/// <summary>
/// One change of one contact's consent for one subscription type, as it goes to Intercom:
/// <see cref="Action"/> opt_in or opt_out attaches the type with that consent, <see cref="Remove"/>
/// detaches it, so that the type's default applies again.
/// </summary>
internal readonly record struct SubscriptionChange(string ContactId, string SubscriptionTypeId, string Action)
{
    public const string Remove = "remove";

    public override string ToString() => $"{Action} contact '{ContactId}', subscription type '{SubscriptionTypeId}'";
}
