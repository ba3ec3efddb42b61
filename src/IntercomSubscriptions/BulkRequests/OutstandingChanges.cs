namespace IntercomSubscriptions;

/// <summary>
/// The changes a bulk run has queued and not handed back, and the token that abandons those on the
/// wire: what a stop settles when PowerShell takes no more writes. Used on the pipeline thread only;
/// the token is watched by the requests on worker threads.
/// </summary>
internal sealed class OutstandingChanges : IDisposable
{
    // Abandoned requests end at once; this only bounds a wait that should take milliseconds.
    private static readonly TimeSpan AbandonWait = TimeSpan.FromSeconds(5);

    private readonly HashSet<ChangeInFlight> _changes = new();
    private readonly CancellationTokenSource _abandon = new();

    /// <summary>Cancelled once a stop's grace has passed: the requests on the wire watch it.</summary>
    public CancellationToken Abandon => _abandon.Token;

    /// <summary><paramref name="change"/> is queued.</summary>
    public void Add(ChangeInFlight change) => _changes.Add(change);

    /// <summary><paramref name="change"/> is handed back, or settled.</summary>
    public void Remove(ChangeInFlight change) => _changes.Remove(change);

    /// <summary>
    /// Settles every change out: those on the wire get <paramref name="grace"/> to be answered, then
    /// the rest are abandoned, and one that was sent and did not end when abandoned is in doubt.
    /// <paramref name="account"/> then gets each change, with its outcome (none when it was not sent).
    /// </summary>
    public void Settle(TimeSpan grace, Action<ChangeInFlight> account)
    {
        if (_changes.Count == 0) return;
        var changes = _changes.ToList();
        WaitFor(changes, grace);
        _abandon.Cancel();
        WaitFor(changes, AbandonWait);
        foreach (var change in changes)
        {
            if (change.Outcome is null && !change.Running.IsCompleted && change.Change is not null)
                change.Outcome = new ChangeOutcome(ChangeResult.InDoubt, Reason: "the run stopped while it was on the wire, and it did not end when abandoned");
            account(change);
        }
    }

    public void Dispose() => _abandon.Dispose();

    private static void WaitFor(IReadOnlyList<ChangeInFlight> changes, TimeSpan bound)
    {
        try
        {
            Task.WaitAll(changes.Select(c => c.Running).Where(t => !t.IsCompleted).ToArray(), bound);
        }
        catch (AggregateException)
        {
            // A change that failed or was cancelled has its outcome (or none: it was not sent).
        }
    }
}
