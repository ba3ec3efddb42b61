using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Turns a journal's changes into the states to put back (<see cref="ContactSubscriptionUndo"/>): for
/// each (contact, subscription type) with a change that may have been applied (applied, or in doubt),
/// the contact's choice before the first such change, as the state Set-IntercomContactSubscription
/// brings it to. Changes that failed or were never applied are left alone. One record per pair, in the
/// order the first change of each ended; the pairs already given are kept as 8-byte hashes
/// (<see cref="HashedStringSet"/>), 16 MB for a million.
/// </summary>
internal sealed class JournalUndo
{
    private readonly HashedStringSet _given = new();

    /// <summary>Records given whose state was inferred (Add, Remove), not read.</summary>
    public long Inferred { get; private set; }

    /// <summary>Changes that cannot be put back by Set: their type's consent type is unknown and the state before is not Default.</summary>
    public List<JournalChange> CannotUndo { get; } = new();

    /// <summary>The workspaces the changes were sent to.</summary>
    public HashSet<string> Workspaces { get; } = new(StringComparer.Ordinal);

    public IEnumerable<ContactSubscriptionUndo> Of(IEnumerable<JournalChange> changes)
    {
        foreach (var change in changes)
        {
            if (!change.MayHaveApplied) continue;
            var intent = change.Intent;
            if (!_given.Add(intent.ContactId + "\u001f" + intent.SubscriptionId)) continue;
            Workspaces.Add(intent.Workspace);
            var (choice, exact, reason) = ChoiceBefore(intent);
            if (StateOf(choice, intent.ConsentType) is not { } state)
            {
                CannotUndo.Add(change);
                continue;
            }
            if (!exact) Inferred++;
            yield return new ContactSubscriptionUndo
            {
                ContactId = intent.ContactId,
                SubscriptionId = intent.SubscriptionId,
                Name = intent.SubscriptionName,
                State = state,
                Exact = exact,
                Reason = reason,
                RunId = intent.Run,
                Workspace = intent.Workspace,
            };
        }
    }

    /// <summary>The choice before the change: read (Set), or inferred from what was sent (Add, Remove).</summary>
    private static (string? Choice, bool Exact, string Reason) ChoiceBefore(JournalIntent intent)
    {
        if (intent.ChoiceBefore is { } read)
            return (read, true, $"{intent.Command} read the choice before it sent {intent.Action}: {read}.");
        return intent.Action == JournalWords.Remove
            ? (intent.ConsentType, false, $"{intent.Command} did not read the choice before it sent remove; assumed the type's own ({intent.ConsentType ?? "unknown"}), which it removed.")
            : (JournalWords.None, false, $"{intent.Command} did not read the choice before it sent {intent.Action}; assumed none, so the undo removes it (a contact that had it already loses it).");
    }

    /// <summary>The state that leaves <paramref name="choice"/> in effect; null when Set cannot express it.</summary>
    internal static ContactSubscriptionState? StateOf(string? choice, string? consentType) => choice switch
    {
        JournalWords.None => ContactSubscriptionState.Default,
        JournalWords.OptIn when consentType == JournalWords.OptIn => ContactSubscriptionState.Subscribed,
        JournalWords.OptOut when consentType == JournalWords.OptOut => ContactSubscriptionState.Unsubscribed,
        _ => null,
    };
}
