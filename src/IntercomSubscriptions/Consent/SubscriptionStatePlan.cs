namespace IntercomSubscriptions;

/// <summary>
/// What bringing a contact to a <see cref="ContactSubscriptionState"/> takes, given whether it has
/// an explicit choice for the type now. Intercom's arithmetic lives here and nowhere else: an
/// explicit choice flips the type's default, so "Subscribed" is an opt-in on an opt_in type but no
/// choice at all on an opt_out type, and so on.
/// </summary>
internal readonly record struct SubscriptionStatePlan(
    string Action,
    SubscriptionSource SourceBefore,
    SubscriptionSource SourceAfter,
    bool? SubscribedBefore,
    bool? SubscribedAfter)
{
    public const string None = "none";
    public const string Remove = SubscriptionChange.Remove;

    public bool ChangesAnything => Action != None;

    /// <summary>
    /// The plan, or null when <paramref name="consentType"/> is one this module does not know and
    /// the state asked for depends on it (Default does not: it removes whatever choice there is).
    /// </summary>
    public static SubscriptionStatePlan? For(string? consentType, bool hasChoice, ContactSubscriptionState wanted)
    {
        bool? explicitAfter = wanted switch
        {
            ContactSubscriptionState.Default => false,
            // Reaching the contact takes a choice only where the default is not to reach it.
            ContactSubscriptionState.Subscribed => consentType switch { "opt_in" => true, "opt_out" => false, _ => null },
            ContactSubscriptionState.Unsubscribed => consentType switch { "opt_in" => false, "opt_out" => true, _ => null },
            _ => null,
        };
        if (explicitAfter is not { } choiceAfter) return null;
        var before = hasChoice ? SubscriptionSource.Explicit : SubscriptionSource.Default;
        var after = choiceAfter ? SubscriptionSource.Explicit : SubscriptionSource.Default;
        var action = hasChoice == choiceAfter ? None : choiceAfter ? consentType! : Remove;
        return new SubscriptionStatePlan(action, before, after,
            ModelMapper.IsSubscribed(consentType, before), ModelMapper.IsSubscribed(consentType, after));
    }

    /// <summary>The contact's explicit choice once the plan is carried out (opt_in, opt_out or none), as a journal says it.</summary>
    public string ChoiceAfter(string? consentType) => SourceAfter == SubscriptionSource.Explicit ? consentType! : Engine.JournalWords.None;

    /// <summary>The contact's explicit choice before (opt_in, opt_out or none), as a journal says it.</summary>
    public string ChoiceBefore(string? consentType) => SourceBefore == SubscriptionSource.Explicit ? consentType! : Engine.JournalWords.None;

    /// <summary>The change as one phrase, for -WhatIf and -Confirm.</summary>
    public string Describe(SubscriptionType type) => Action switch
    {
        "opt_in" => $"Opt in to subscription type {type} (Default -> Subscribed)",
        "opt_out" => $"Opt out of subscription type {type} (Default -> Unsubscribed)",
        Remove => $"Remove the {(type.ConsentType == "opt_in" ? "opt-in" : type.ConsentType == "opt_out" ? "opt-out" : "choice")} for subscription type {type}, so its default applies"
            + (SubscribedAfter is { } reaches ? $" ({(reaches ? "Subscribed" : "Unsubscribed")} by default)" : ""),
        _ => $"Leave subscription type {type} as it is",
    };
}
