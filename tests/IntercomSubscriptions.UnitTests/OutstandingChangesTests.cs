namespace IntercomSubscriptions.UnitTests;

/// <summary>How a stop settles the changes a run has out: a grace for answers, then abandon, and each one accounted.</summary>
public sealed class OutstandingChangesTests : IDisposable
{
    private readonly RunSummaryCollector _summary = new("Add-IntercomContactSubscription", () => TimeSpan.Zero, null);

    public void Dispose() => _summary.Dispose();

    private ChangeInFlight Change(string contactId)
    {
        var target = new ContactTarget(null, contactId);
        return new ChangeInFlight(_summary.Claim(), target, contactId, $"Contact '{contactId}'")
        {
            Change = new SubscriptionChange(contactId, "108", "opt_in"),
        };
    }

    [Fact]
    public void A_stop_gives_changes_on_the_wire_their_grace_then_abandons_the_rest_and_accounts_each()
    {
        using var changes = new OutstandingChanges();
        var answered = Change("answered");
        var slow = Change("slow");
        var handedBack = Change("handed-back");
        answered.Running = Task.Run(async () =>
        {
            await Task.Delay(50);
            answered.Outcome = new ChangeOutcome(ChangeResult.Applied);
        });
        slow.Running = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, changes.Abandon);
            }
            catch (OperationCanceledException)
            {
                slow.Outcome = new ChangeOutcome(ChangeResult.InDoubt, Reason: "the run stopped while it was on the wire");
            }
        });
        foreach (var change in new[] { answered, slow, handedBack }) changes.Add(change);
        changes.Remove(handedBack);
        var accounted = new List<(string, ChangeResult?)>();

        changes.Settle(TimeSpan.FromMilliseconds(500), change => accounted.Add((change.Target.Value, change.Outcome?.Result)));

        Assert.True(changes.Abandon.IsCancellationRequested);
        Assert.Equal(2, accounted.Count);
        Assert.Contains(("answered", ChangeResult.Applied), accounted);
        Assert.Contains(("slow", ChangeResult.InDoubt), accounted);
    }

    [Fact]
    public void With_no_change_out_a_stop_abandons_nothing()
    {
        using var changes = new OutstandingChanges();
        var accounted = 0;

        changes.Settle(TimeSpan.FromMilliseconds(500), _ => accounted++);

        Assert.Equal(0, accounted);
        Assert.False(changes.Abandon.IsCancellationRequested);
    }
}
