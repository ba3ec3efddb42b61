namespace IntercomSubscriptions;

/// <summary>
/// The state Set-IntercomContactSubscription brings one record's contact to. -State on the command
/// line decides for every record; otherwise the record's State column, when it holds Subscribed,
/// Unsubscribed or Default (a wishes.csv). A contact's subscription as Get-IntercomContactSubscription
/// output it (or its export) says what to make so in its Source and Subscribed: Source Default is
/// Default (no choice); otherwise Subscribed True is Subscribed and False Unsubscribed. Its own State
/// column is the type's lifecycle (live, draft, archived), which is no state to set and is not read.
/// </summary>
internal static class DesiredState
{
    /// <summary>The column of Get-IntercomContactSubscription's output that says whether messages reach the contact.</summary>
    public const string SubscribedColumn = "Subscribed";

    /// <summary>Set's -State, and the column it binds from.</summary>
    private const string StateColumn = "State";

    /// <summary>The state asked for, or why the record names none.</summary>
    public static (ContactSubscriptionState? State, string? Problem) Of(RecordCells cells)
    {
        var stateCell = cells.Single(StateColumn);
        if (Parse<ContactSubscriptionState>(stateCell) is { } asked)
            return (asked, null);
        var sourceCell = cells.Single(RecordInput.SourceColumn);
        var subscribedCell = cells.Single(SubscribedColumn);
        if (sourceCell is null && subscribedCell is null)
        {
            return (null, stateCell is null
                ? "The input names no state. Give State (a 'state' column): Subscribed, Unsubscribed or Default; or pipe in Get-IntercomContactSubscription's output, whose Source and Subscribed say it."
                : $"The state '{stateCell}' is not Subscribed, Unsubscribed or Default.");
        }
        if (sourceCell is not null)
        {
            if (Parse<SubscriptionSource>(sourceCell) is not { } source)
                return (null, $"The record's Source '{sourceCell}' is neither Explicit nor Default.");
            if (source == SubscriptionSource.Default)
                return (ContactSubscriptionState.Default, null);
        }
        if (subscribedCell is null)
            return (null, "The record's Source is Explicit but its Subscribed is empty (its consent type is one this module does not know), so whether to subscribe or unsubscribe cannot be told. Give -State.");
        if (!bool.TryParse(subscribedCell, out var subscribed))
            return (null, $"The record's Subscribed '{subscribedCell}' is neither True nor False.");
        return (subscribed ? ContactSubscriptionState.Subscribed : ContactSubscriptionState.Unsubscribed, null);
    }

    /// <summary>A member in any case, as PowerShell users expect; null when the text names none.</summary>
    private static T? Parse<T>(string? text) where T : struct, Enum =>
        text is not null && Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(typeof(T), value)
            ? value
            : null;
}
