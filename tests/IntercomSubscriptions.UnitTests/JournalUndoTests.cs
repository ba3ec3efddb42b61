using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.UnitTests;

/// <summary>What Get-IntercomJournal -Undo makes of a journal's changes: the state before the first change of each pair that may have been applied.</summary>
public sealed class JournalUndoTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;

    private static JournalChange Change(string command, string contact, string type, string consentType, string action, string? before, string? outcome, string run = "r1") =>
        new(new JournalIntent(At, run, 1, command, "https://api.intercom.io/", contact, JournalWords.KeyId, contact, type, "T" + type, consentType, before,
                JournalWords.ChoiceAfter(action), action),
            outcome is null ? null : new JournalOutcome(At, run, 1, contact, type, outcome, null, null));

    [Fact]
    public void A_Set_change_is_put_back_exactly_as_it_was_read()
    {
        var undo = new JournalUndo();
        var states = undo.Of(new[]
        {
            Change("Set-IntercomContactSubscription", "c1", "108", "opt_in", "opt_in", JournalWords.None, JournalWords.Applied),
            Change("Set-IntercomContactSubscription", "c2", "109", "opt_out", "remove", JournalWords.OptOut, JournalWords.Applied),
            Change("Set-IntercomContactSubscription", "c3", "108", "opt_in", "remove", JournalWords.OptIn, null), // killed: in doubt
        }).ToList();

        Assert.Equal(["c1 108 Default", "c2 109 Unsubscribed", "c3 108 Subscribed"], states.Select(s => s.ToString()));
        Assert.All(states, s => Assert.True(s.Exact));
        Assert.Equal(0, undo.Inferred);
    }

    [Fact]
    public void Add_and_Remove_did_not_read_first_so_their_state_is_inferred_and_said_so()
    {
        var undo = new JournalUndo();
        var states = undo.Of(new[]
        {
            Change("Add-IntercomContactSubscription", "c1", "108", "opt_in", "opt_in", null, JournalWords.Applied),
            Change("Remove-IntercomContactSubscription", "c2", "109", "opt_out", "remove", null, JournalWords.InDoubt),
        }).ToList();

        Assert.Equal(["c1 108 Default", "c2 109 Unsubscribed"], states.Select(s => s.ToString()));
        Assert.All(states, s => Assert.False(s.Exact));
        Assert.Equal(2, undo.Inferred);
        Assert.Contains("did not read", states[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_first_change_of_a_pair_counts_and_changes_that_changed_nothing_are_left_alone()
    {
        var undo = new JournalUndo();
        var states = undo.Of(new[]
        {
            Change("Set-IntercomContactSubscription", "c1", "108", "opt_in", "opt_in", JournalWords.None, JournalWords.Failed),
            Change("Set-IntercomContactSubscription", "c1", "108", "opt_in", "opt_in", JournalWords.None, JournalWords.NotApplied),
            Change("Set-IntercomContactSubscription", "c1", "108", "opt_in", "opt_in", JournalWords.None, JournalWords.Applied, run: "r2"),
            Change("Set-IntercomContactSubscription", "c1", "108", "opt_in", "remove", JournalWords.OptIn, JournalWords.Applied, run: "r3"),
        }).ToList();

        Assert.Equal(("c1", ContactSubscriptionState.Default, "r2"), (Assert.Single(states).ContactId, states[0].State, states[0].RunId));
    }

    [Fact]
    public void A_choice_Set_cannot_express_is_not_given_and_is_named()
    {
        var undo = new JournalUndo();
        var states = undo.Of(new[] { Change("Remove-IntercomContactSubscription", "c1", "120", null!, "remove", null, JournalWords.Applied) }).ToList();

        Assert.Empty(states);
        Assert.Equal("c1", Assert.Single(undo.CannotUndo).Intent.ContactId);
        Assert.Null(JournalUndo.StateOf(JournalWords.OptIn, JournalWords.OptOut));
    }
}
