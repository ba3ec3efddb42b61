namespace IntercomSubscriptions.Engine;

/// <summary>One change of a journal: its intent, and its outcome line (null when none was written: the change is in doubt).</summary>
internal sealed record JournalChange(JournalIntent Intent, JournalOutcome? Outcome)
{
    /// <summary>applied, failed, in_doubt or not_applied; in_doubt when no outcome line was written.</summary>
    public string Result => Outcome?.Outcome ?? JournalWords.InDoubt;

    /// <summary>Intercom may have carried it out: applied, or in doubt.</summary>
    public bool MayHaveApplied => Result is JournalWords.Applied or JournalWords.InDoubt;
}

/// <summary>
/// A journal's changes, each intent paired with its outcome line, as they are read: a change is given
/// when its outcome line comes, and the changes whose outcome never came (a killed run's) at the end,
/// in doubt. Only the intents waiting for their outcome are held: a run has at most its requests in
/// flight open at once (a few hundred), plus, to the end, the ones a killed run left open.
/// </summary>
internal static class JournalChanges
{
    /// <param name="runs">Only these runs' changes; all when null.</param>
    public static IEnumerable<JournalChange> Of(IEnumerable<JournalEvent> events, ISet<string>? runs = null)
    {
        // In intent order, so that the open ones left at the end come out in the order they were sent.
        var open = new Dictionary<(string Run, long Seq), JournalIntent>();
        var order = new LinkedList<(string Run, long Seq)>();
        var nodes = new Dictionary<(string Run, long Seq), LinkedListNode<(string Run, long Seq)>>();
        foreach (var journalEvent in events)
        {
            if (runs is not null && !runs.Contains(journalEvent.Run)) continue;
            switch (journalEvent)
            {
                case JournalIntent intent:
                    var key = (intent.Run, intent.Seq);
                    if (nodes.TryGetValue(key, out var repeated)) order.Remove(repeated);
                    open[key] = intent;
                    nodes[key] = order.AddLast(key);
                    break;
                case JournalOutcome outcome when open.TryGetValue((outcome.Run, outcome.Seq), out var answered):
                    var done = (outcome.Run, outcome.Seq);
                    open.Remove(done);
                    order.Remove(nodes[done]);
                    nodes.Remove(done);
                    yield return new JournalChange(answered, outcome);
                    break;
            }
        }
        foreach (var key in order)
            yield return new JournalChange(open[key], null);
    }
}
