using static IntercomSubscriptions.Engine.Tests.JournalTests;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>What -Resume reads from a journal: per (contact, type), the choice in effect or a change in doubt.</summary>
public sealed class JournalIndexTests
{
    private static JournalIndex Index(params JournalEvent[] events) => JournalIndex.Build(events);

    [Fact]
    public void An_applied_change_is_skipped_when_the_same_choice_is_asked_again_but_not_another()
    {
        var index = Index(Intent(1), Outcome(1, JournalWords.Applied));

        Assert.Equal(JournalVerdict.AlreadyApplied, index.Lookup("c1", "108", JournalWords.OptIn));
        Assert.Equal(JournalVerdict.NotApplied, index.Lookup("c1", "108", JournalWords.None));
        Assert.Equal(JournalVerdict.NotApplied, index.Lookup("c1", "109", JournalWords.OptIn));
        Assert.Equal(JournalVerdict.NotApplied, index.Lookup("c2", "108", JournalWords.OptIn));
    }

    [Fact]
    public void An_intent_without_an_outcome_or_with_in_doubt_is_in_doubt()
    {
        var index = Index(Intent(1), Intent(2, contact: "c2"), Outcome(2, JournalWords.InDoubt, contact: "c2"));

        Assert.Equal(JournalVerdict.InDoubt, index.Lookup("c1", "108", JournalWords.OptIn));
        Assert.Equal(JournalVerdict.InDoubt, index.Lookup("c2", "108", JournalWords.None));
        Assert.Equal(2, index.InDoubt);
    }

    [Fact]
    public void A_failed_or_unsent_change_leaves_the_pair_as_it_was()
    {
        var index = Index(
            Intent(1), Outcome(1, JournalWords.Applied),
            Intent(2, action: JournalWords.Remove), Outcome(2, JournalWords.Failed),
            Intent(3, contact: "c2"), Outcome(3, JournalWords.NotApplied, contact: "c2"));

        Assert.Equal(JournalVerdict.AlreadyApplied, index.Lookup("c1", "108", JournalWords.OptIn));
        Assert.Equal(JournalVerdict.NotApplied, index.Lookup("c2", "108", JournalWords.OptIn));
        Assert.Equal(0, index.InDoubt);
    }

    [Fact]
    public void The_latest_applied_change_of_a_pair_decides_across_runs_and_a_check_settles_a_doubt()
    {
        var index = Index(
            Intent(1), Outcome(1, JournalWords.Applied),
            Intent(1, action: JournalWords.Remove, run: "r2"), Outcome(1, JournalWords.Applied, run: "r2"),
            Intent(2, contact: "c2"),
            new JournalCheck(DateTimeOffset.UtcNow, "r3", "c2", "108", JournalWords.OptIn, InEffect: true),
            Intent(3, contact: "c3"),
            new JournalCheck(DateTimeOffset.UtcNow, "r3", "c3", "108", JournalWords.OptIn, InEffect: false));

        Assert.Equal(JournalVerdict.AlreadyApplied, index.Lookup("c1", "108", JournalWords.None));
        Assert.Equal(JournalVerdict.NotApplied, index.Lookup("c1", "108", JournalWords.OptIn));
        Assert.Equal(JournalVerdict.AlreadyApplied, index.Lookup("c2", "108", JournalWords.OptIn));
        Assert.Equal(JournalVerdict.NotApplied, index.Lookup("c3", "108", JournalWords.OptIn));
    }

    [Fact]
    public void A_million_pairs_take_about_nine_bytes_a_slot()
    {
        var events = Enumerable.Range(0, 1_000_000).SelectMany(i => new JournalEvent[]
        {
            Intent(i, contact: "6" + i.ToString("D23", System.Globalization.CultureInfo.InvariantCulture)),
            Outcome(i, JournalWords.Applied, contact: "6" + i.ToString("D23", System.Globalization.CultureInfo.InvariantCulture)),
        });

        var index = JournalIndex.Build(events);

        Assert.Equal(1_000_000, index.Pairs);
        Assert.Equal(2_097_152L * 9, index.Bytes); // 2^21 slots at most three quarters full, 8 + 1 bytes each
        Assert.Equal(JournalVerdict.AlreadyApplied, index.Lookup("6" + 999_999.ToString("D23", System.Globalization.CultureInfo.InvariantCulture), "108", JournalWords.OptIn));
    }
}

/// <summary>A journal's changes, each intent with its outcome, as Get-IntercomJournal reads them.</summary>
public sealed class JournalChangesTests
{
    private static readonly string[] OutcomeOrder = { "b failed", "d applied", "e not_applied", "a in_doubt", "c in_doubt" };

    [Fact]
    public void Each_intent_comes_with_its_outcome_and_those_without_one_come_last_in_doubt()
    {
        var changes = JournalChanges.Of(new JournalEvent[]
        {
            Intent(1, contact: "a"), Intent(2, contact: "b"), Intent(3, contact: "c"),
            Outcome(2, JournalWords.Failed, contact: "b"),
            Intent(4, contact: "d"),
            Outcome(4, JournalWords.Applied, contact: "d"),
            Intent(1, contact: "e", run: "r2"), Outcome(1, JournalWords.NotApplied, contact: "e", run: "r2"),
        }).ToList();

        Assert.Equal(OutcomeOrder, changes.Select(c => $"{c.Intent.ContactId} {c.Result}"));
        Assert.Null(changes[3].Outcome);
        Assert.True(changes[3].MayHaveApplied);
        Assert.False(changes[0].MayHaveApplied);
    }

    [Fact]
    public void Only_the_runs_asked_for()
    {
        var changes = JournalChanges.Of(new JournalEvent[]
        {
            Intent(1, contact: "a"), Outcome(1, JournalWords.Applied, contact: "a"),
            Intent(1, contact: "b", run: "r2"), Outcome(1, JournalWords.Applied, contact: "b", run: "r2"),
        }, new HashSet<string> { "r2" }).ToList();

        Assert.Equal("b", Assert.Single(changes).Intent.ContactId);
    }
}
