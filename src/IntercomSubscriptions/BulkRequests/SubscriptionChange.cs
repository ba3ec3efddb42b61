using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// One change of one contact's consent for one subscription type, as it goes to Intercom:
/// <see cref="Action"/> opt_in or opt_out attaches the type with that consent, <see cref="Remove"/>
/// detaches it, so that the type's default applies again. What else is known of the type and of the
/// contact's choice before goes into the journal's intent line, and makes an undo exact.
/// </summary>
internal readonly record struct SubscriptionChange(string ContactId, string SubscriptionTypeId, string Action)
{
    public const string Remove = JournalWords.Remove;

    /// <summary>The type's name, when the workspace's list has it.</summary>
    public string? SubscriptionName { get; init; }

    /// <summary>The type's consent type (opt_in, opt_out), when the workspace's list has it.</summary>
    public string? ConsentType { get; init; }

    /// <summary>
    /// The contact's explicit choice for the type before the change, as read just before it (Set):
    /// opt_in, opt_out, or none. Null when it was not read (Add and Remove do not read first).
    /// </summary>
    public string? ChoiceBefore { get; init; }

    /// <summary>The choice in effect once the change is applied: the consent it records, or none.</summary>
    public string ChoiceAfter => JournalWords.ChoiceAfter(Action);

    /// <summary>The change for <paramref name="contactId"/> of <paramref name="type"/>, with what the type says about itself.</summary>
    public static SubscriptionChange Of(string contactId, SubscriptionType type, string action, string? choiceBefore = null) =>
        new(contactId, type.Id, action) { SubscriptionName = type.Name, ConsentType = type.ConsentType, ChoiceBefore = choiceBefore };

    public override string ToString() => $"{Action} contact '{ContactId}', subscription type '{SubscriptionTypeId}'";
}
