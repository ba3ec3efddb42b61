using FakeIntercom;
using Xunit.Abstractions;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// Intercom's limit is the app's, and the company's own backend often shares the app with the admin's
/// script. Over real HTTP, against the fake's steady other client (FaultSettings.OtherClientRequestsPerWindow,
/// whose refusals the fake counts): by default the module leaves that client the room it is seen using;
/// with -RateLimitShare it never has more than its share counted in a window.
/// </summary>
public sealed class SharedLimitTests(ITestOutputHelper output) : IntercomTestBase
{
    private const string Attach = "POST /contacts/{id}/subscriptions";

    private string[] AddContacts(int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"shared{i:D4}").ToArray();
        foreach (var id in ids) Server.State.AddContact(id);
        return ids;
    }

    private ScriptResult AttachAll(string[] ids) =>
        Run("$ids | ForEach-Object { [pscustomobject]@{ contact_id = $_ } } | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in",
            new() { ["ids"] = ids });

    /// <summary>The rate-limit windows the run's requests were counted in, each with how many of ours it counted.</summary>
    private Dictionary<long, int> OursPerWindow() => Server.Requests
        .Where(r => r.CountedInWindowEndingAt is not null)
        .GroupBy(r => r.CountedInWindowEndingAt!.Value)
        .ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public void By_default_a_steady_other_client_using_half_the_limit_keeps_its_room()
    {
        // 200 a 2-second window, half of them the other client's, evenly: Intercom's 10 s, five times
        // faster. Before the module left it room for the rest of each window, it spent the window early
        // and the other client had 36-40% of its requests refused here (three runs: 85 of 237, 86 of
        // 213, 105 of 294); the bound leaves room for what a run on a loaded machine does (the bench measures the
        // target, under 2%, at Intercom's own windows).
        const int Limit = 200, Other = 100, WindowSeconds = 2;
        var ids = AddContacts(350);
        Server.Faults.LatencyMs = 50;
        Server.Faults.RateLimitWindowSeconds = WindowSeconds;
        Server.Faults.RateLimit = Limit;
        Server.Faults.OtherClientRequestsPerWindow = Other;
        Connect();
        // A connection learns a window's length from two windows' Resets (till then it takes Intercom's
        // 10 s): one more request in the next window, as a connection that has been in use has done.
        var now = DateTimeOffset.UtcNow;
        Thread.Sleep(TimeSpan.FromMilliseconds(WindowSeconds * 1000 - now.ToUnixTimeMilliseconds() % (WindowSeconds * 1000) + 100));
        Assert.Empty(Run("Get-IntercomContactSubscription -ContactId $id | Out-Null", new() { ["id"] = Ada }).Errors);
        Server.ResetLog();

        var result = AttachAll(ids);

        Assert.Empty(result.Errors);
        Assert.All(ids, id => Assert.Equal("opt_in", Server.State.GetChoices(id)["108"]));
        var ours = OursPerWindow();
        var windows = Server.OtherClient.Windows.Where(w => ours.ContainsKey(w.StartUnixSeconds + WindowSeconds)).ToList();
        var sent = windows.Sum(w => w.Sent);
        var refused = windows.Sum(w => w.Refused);
        var detail = string.Join(", ", windows.Select(w => $"{ours[w.StartUnixSeconds + WindowSeconds]}/{w.Refused}"));
        output.WriteLine($"the other client: {refused} of {sent} refused; ours/their refusals per window: {detail}");
        Assert.True(refused <= 0.05 * sent, $"the other client had {refused} of its {sent} requests refused (ours/their refusals per window: {detail})");
        Assert.True(sent >= 3 * Other, $"the run spanned only {windows.Count} windows ({sent} of the other client's requests)");
        // Not by standing aside: the module still took most of what the other client leaves.
        var middle = ours.OrderBy(w => w.Key).Skip(1).SkipLast(1).Select(w => w.Value).ToList();
        Assert.True(middle.Count > 0 && middle.Average() >= 0.7 * (Limit - Other), $"ours per window: {detail}");
    }

    [Fact]
    public void With_RateLimitShare_the_module_never_has_more_than_its_share_counted_in_a_window()
    {
        // A share of 0.3 of 100 a second: at most 30 of ours in any window, whatever the module sees;
        // the other client's 50 then always find room.
        const int Limit = 100, Other = 50, Cap = 30;
        var ids = AddContacts(130);
        Server.Faults.LatencyMs = 20;
        Server.Faults.RateLimitWindowSeconds = 1;
        Server.Faults.RateLimit = Limit;
        Server.Faults.OtherClientRequestsPerWindow = Other;
        Server.ResetLog();
        Connect("-RateLimitShare 0.3");

        var result = AttachAll(ids);

        Assert.Empty(result.Errors);
        Assert.Equal(ids.Length, Server.CallCount(Attach));
        var ours = OursPerWindow();
        var detail = string.Join(", ", ours.OrderBy(w => w.Key).Select(w => w.Value));
        output.WriteLine($"ours per window: {detail}; the other client: {Server.OtherClient.Refused} of {Server.OtherClient.Sent} refused");
        Assert.All(ours.Values, n => Assert.InRange(n, 1, Cap));
        Assert.True(ours.Values.Count(n => n >= Cap - 3) >= 2, $"ours per window: {detail}"); // it does take its share
        Assert.Equal(0, Server.OtherClient.Refused);
        Assert.Equal(0, Server.RequestsWhileExhausted);
    }

    [Fact]
    public void The_connection_shows_its_share_and_a_share_out_of_range_is_refused_naming_the_value()
    {
        Connect("-RateLimitShare 0.25");
        var shown = Run("(Get-IntercomConnection).RateLimitShare");
        Assert.Equal(0.25, (double)shown.Output.Single().BaseObject);

        Connect();
        Assert.Equal(1.0, (double)Run("(Get-IntercomConnection).RateLimitShare").Output.Single().BaseObject);

        var refused = Run($"Connect-Intercom -BaseUri $baseUri -Token {SecureToken} -RateLimitShare 1.5",
            new() { ["baseUri"] = Server.BaseUri, ["token"] = Server.Token });
        var error = Assert.Single(refused.Errors);
        Assert.Contains("RateLimitShare", error.FullyQualifiedErrorId + error.ToString());
        Assert.Contains("1.5", error.ToString());
    }
}
