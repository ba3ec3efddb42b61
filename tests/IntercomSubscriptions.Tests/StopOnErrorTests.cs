namespace IntercomSubscriptions.Tests;

/// <summary>
/// When a run stops: under -ErrorAction Stop (or $ErrorActionPreference = 'Stop') the
/// first failing record ends the run, nothing new is sent once the failure is known, the requests in
/// flight finish, and every change the server applied is reported before the terminating error.
/// </summary>
public sealed class StopOnErrorTests : IntercomTestBase
{
    private const string Missing = "63a07ddf05a32042dffac999";
    private const int Rows = 40;
    private const int Failing = 4;

    /// <summary>Forty rows, the fifth naming a contact Intercom does not have: far more than a stop leaves time to send, even on a busy machine.</summary>
    private string[] Contacts()
    {
        var ids = Enumerable.Range(0, Rows).Select(i => i == Failing ? Missing : $"stop{i:D3}").ToArray();
        foreach (var id in ids.Where(id => id != Missing)) Server.State.AddContact(id);
        return ids;
    }

    private List<string> Changed(IEnumerable<string> ids) =>
        ids.Where(id => id != Missing && Server.State.GetChoices(id).ContainsKey(SmsOffers)).ToList();

    [Theory]
    [InlineData("-ErrorAction Stop", "")]
    [InlineData("", "$ErrorActionPreference = 'Stop'")]
    public void The_first_failing_row_ends_the_run_and_every_applied_change_is_reported_first(string parameter, string preference)
    {
        var ids = Contacts();
        Connect();
        Server.Faults.LatencyMs = 100;
        Server.ResetLog();

        var result = Run($$"""
            {{preference}}
            $ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } } |
                Add-IntercomContactSubscription -SubscriptionId 110 -ThrottleLimit 2 {{parameter}}
            'the script went on'
            """, new() { ["ids"] = ids });

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomContactNotFound" + ",", error.FullyQualifiedErrorId);
        Assert.Contains(Missing, error.ToString());
        Assert.DoesNotContain(result.Output, o => o.BaseObject is string);
        var reported = result.Objects("IntercomSubscriptions.ContactSubscription").Select(o => (string)o.ContactId).ToList();
        var changed = Changed(ids);
        Assert.All(changed, id => Assert.True(reported.Contains(id) || result.Warnings.Any(w => w.Contains(id)), $"{id} was changed and not reported"));
        Assert.All(reported, id => Assert.Contains(id, changed));
        Assert.True(changed.Count >= Failing, "the rows before the failing one were applied");
        // The run ended near the failure: with two in flight, the rows far after it were never sent.
        var posts = ApiRequests("POST").Count;
        Assert.InRange(posts, Failing + 1, Failing + 5);
        Assert.All(ids.Skip(Failing + 5), id => Assert.DoesNotContain(id, changed));
    }

    [Fact]
    public void Removals_applied_while_the_run_stops_are_named_in_warnings_even_without_PassThru()
    {
        var ids = Contacts();
        foreach (var id in ids.Where(id => id != Missing)) Server.State.SetChoice(id, SmsOffers, "opt_in");
        Connect();
        Server.Faults.LatencyMs = 100;
        Server.ResetLog();

        var result = Run("""
            $ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } } |
                Remove-IntercomContactSubscription -SubscriptionId 110 -ThrottleLimit 4 -Confirm:$false -ErrorAction Stop
            """, new() { ["ids"] = ids });

        Assert.StartsWith("IntercomContactNotFound" + ",", Assert.Single(result.Errors).FullyQualifiedErrorId);
        var removedAfterFailure = ids.Skip(Failing + 1).Where(id => !Server.State.GetChoices(id).ContainsKey(SmsOffers)).ToList();
        Assert.NotEmpty(removedAfterFailure); // four in flight: the rows right after the failing one were already on their way
        Assert.All(removedAfterFailure, id => Assert.True(result.Warnings.Any(w => w.Contains(id) && w.Contains("applied")),
            $"{id} removed and not named in a warning; warnings: " + string.Join(" | ", result.Warnings) + "; verbose: " + string.Join(" | ", result.Verbose)));
        Assert.True(ApiRequests("DELETE").Count < Rows);
    }

    [Fact]
    public void A_row_that_fails_before_any_request_also_reports_what_is_in_flight_first()
    {
        var ids = Contacts().Where(id => id != Missing).Take(4).ToArray();
        Connect();
        Server.Faults.LatencyMs = 200;

        var result = Run("""
            @($ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } }) + @([pscustomobject]@{ customer = 'x' }) |
                Add-IntercomContactSubscription -SubscriptionId 110 -ErrorAction Stop
            """, new() { ["ids"] = ids });

        Assert.StartsWith("IntercomContactColumnMissing" + ",", Assert.Single(result.Errors).FullyQualifiedErrorId);
        // The four rows before it were in flight when it failed: all applied, and all in the output.
        Assert.Equal(ids, Changed(ids));
        Assert.Equal(ids, result.Objects("IntercomSubscriptions.ContactSubscription").Select(o => (string)o.ContactId));
    }

    [Fact]
    public void Without_Stop_one_failing_row_is_an_error_and_the_batch_goes_on()
    {
        var ids = Contacts();
        Connect();

        var result = Run("""
            $ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } } | Add-IntercomContactSubscription -SubscriptionId 110
            """, new() { ["ids"] = ids });

        Assert.StartsWith("IntercomContactNotFound" + ",", Assert.Single(result.Errors).FullyQualifiedErrorId);
        Assert.Equal(Rows - 1, Changed(ids).Count);
        Assert.Empty(result.Warnings);
    }
}
