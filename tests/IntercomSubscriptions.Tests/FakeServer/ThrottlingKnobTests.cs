using System.Globalization;
using System.Net;
using FakeIntercom;

namespace IntercomSubscriptions.Tests.FakeServer;

/// <summary>The rate-limit header knobs of issue 9: what a 429 (and any answer) says about waiting.</summary>
public sealed class ThrottlingKnobTests : FakeServerFixture
{
    // A limit of 0 spends the window before the first request: every request gets the 429.
    private async Task<HttpResponseMessage> RateLimitedAsync()
    {
        Server.Faults.RateLimit = 0;
        var response = await Http.GetAsync("subscription_types");
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        return response;
    }

    private static string Header(HttpResponseMessage response, string name) =>
        Assert.Single(response.Headers.GetValues(name));

    [Fact]
    public async Task A_429_says_Retry_After_in_seconds_when_asked()
    {
        Server.Faults.RetryAfter = "120";
        using var response = await RateLimitedAsync();
        Assert.Equal(TimeSpan.FromSeconds(120), response.Headers.RetryAfter?.Delta);
        Assert.Equal("0", Header(response, "X-RateLimit-Remaining"));
    }

    [Fact]
    public async Task A_429_says_Retry_After_as_an_HTTP_date_when_asked()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(3);
        Server.Faults.RetryAfter = FaultSettings.HttpDate(at);
        using var response = await RateLimitedAsync();
        Assert.Equal(at.ToUnixTimeSeconds(), response.Headers.RetryAfter?.Date?.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Without_the_knob_a_429_has_no_Retry_After_as_Intercom_documents()
    {
        using var response = await RateLimitedAsync();
        Assert.Null(response.Headers.RetryAfter);
        Assert.True(response.Headers.Contains("X-RateLimit-Reset"));
    }

    [Theory]
    [InlineData(-30)]
    [InlineData(365 * 24 * 3600)]
    public async Task Reset_can_be_skewed_into_the_past_or_far_future(int skewSeconds)
    {
        Server.Faults.ResetSkewSeconds = skewSeconds;
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var response = await RateLimitedAsync();
        var reset = long.Parse(Header(response, "X-RateLimit-Reset"), CultureInfo.InvariantCulture);
        // The true reset lies within one 10-second window after the request.
        Assert.InRange(reset - skewSeconds, before, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + Server.Faults.RateLimitWindowSeconds);
    }

    [Fact]
    public async Task Another_client_sharing_the_limit_spends_Remaining_faster_than_our_own_requests()
    {
        // 10,000 a second for the other client: within 100 ms it has spent hundreds, we spent one.
        Server.Faults.RateLimitWindowSeconds = 100;
        Server.Faults.RateLimit = 1_000_000;
        Server.Faults.OtherClientRequestsPerWindow = 1_000_000;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var (firstRemaining, firstReset) = await ReadWindowAsync();
            await Task.Delay(100);
            var (secondRemaining, secondReset) = await ReadWindowAsync();
            if (secondReset != firstReset) continue; // a window boundary fell between them: measure again
            Assert.True(firstRemaining - secondRemaining > 500, $"Remaining fell from {firstRemaining} to {secondRemaining}");
            return;
        }
        Assert.Fail("two window boundaries in 100 ms");

        async Task<(long Remaining, long Reset)> ReadWindowAsync()
        {
            using var response = await Http.GetAsync("subscription_types");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (long.Parse(Header(response, "X-RateLimit-Remaining"), CultureInfo.InvariantCulture), long.Parse(Header(response, "X-RateLimit-Reset"), CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task The_other_clients_requests_that_find_the_window_full_are_counted_as_refused()
    {
        // 10,000 a second for the other client against a window of 5: within a millisecond of the
        // window's start it has taken all 5 places, and every request after that (ours too) is refused.
        Server.Faults.RateLimitWindowSeconds = 100;
        Server.Faults.RateLimit = 5;
        Server.Faults.OtherClientRequestsPerWindow = 1_000_000;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            Server.ResetLog();
            using var response = await Http.GetAsync("subscription_types");
            var counts = Server.OtherClient;
            if (counts.Windows.Count != 1) continue; // a window boundary fell in between: measure again

            var oursCounted = response.StatusCode == HttpStatusCode.OK ? 1 : 0;
            Assert.True(counts.Sent > 5, $"the other client sent {counts.Sent}");
            Assert.Equal(counts.Sent - (5 - oursCounted), counts.Refused);
            Assert.Equal((counts.Sent, counts.Refused), (counts.Windows[0].Sent, counts.Windows[0].Refused));
            Assert.Equal(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 100 * 100, counts.Windows[0].StartUnixSeconds, tolerance: 100);
            return;
        }
        Assert.Fail("two window boundaries in two requests");
    }

    [Fact]
    public async Task A_window_that_ended_counts_all_of_the_other_clients_requests_in_it_and_a_reset_forgets_them()
    {
        // One-second windows of 1,000, the other client sending 100 in each: nothing refused, and a
        // window that ended holds all 100, however few of them had come when our last request did.
        Server.Faults.RateLimitWindowSeconds = 1;
        Server.Faults.RateLimit = 1000;
        Server.Faults.OtherClientRequestsPerWindow = 100;
        using (await Http.GetAsync("subscription_types")) { }
        var now = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromMilliseconds(1000 - now.ToUnixTimeMilliseconds() % 1000 + 50));
        using (await Http.GetAsync("subscription_types")) { }

        var counts = Server.OtherClient;
        Assert.True(counts.Windows.Count >= 2, $"{counts.Windows.Count} windows");
        Assert.Equal(100, counts.Windows[0].Sent);
        Assert.Equal(0, counts.Refused);
        Assert.True(counts.Windows[1].StartUnixSeconds > counts.Windows[0].StartUnixSeconds);

        Server.ResetLog();
        var reset = Server.OtherClient;
        Assert.True(reset.Sent <= 100 && reset.Windows.Count <= 1, $"{reset.Sent} sent in {reset.Windows.Count} windows after the reset");
    }

    [Fact]
    public async Task Reset_can_be_garbage()
    {
        Server.Faults.ResetHeaderValue = "soon";
        using var response = await RateLimitedAsync();
        Assert.Equal("soon", Header(response, "X-RateLimit-Reset"));
    }

    [Fact]
    public async Task A_429_can_come_with_no_headers_at_all()
    {
        Server.Faults.OmitRateLimitHeaders = true;
        using var response = await RateLimitedAsync();
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("X-RateLimit", StringComparison.OrdinalIgnoreCase));
        Assert.Null(response.Headers.RetryAfter);
        Assert.Equal(1, Server.RequestsWhileExhausted); // still counted as a request into a spent window
    }

    [Fact]
    public async Task Reset_of_the_knobs_gives_back_the_honest_headers()
    {
        Server.Faults.RetryAfter = "5";
        Server.Faults.ResetHeaderValue = "soon";
        Server.Faults.OmitRateLimitHeaders = true;
        Server.Faults.Reset();
        Server.Faults.RateLimit = 5;
        using var response = await Http.GetAsync("subscription_types");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("4", Header(response, "X-RateLimit-Remaining"));
        Assert.True(long.TryParse(Header(response, "X-RateLimit-Reset"), out _));
    }

    [Fact]
    public async Task With_an_answer_delay_a_change_is_made_before_its_answer_so_a_client_that_gives_up_never_learns_of_it()
    {
        Server.Faults.AnswerDelayMs = 3000;
        using var impatient = new HttpClient { BaseAddress = Server.BaseUri, Timeout = TimeSpan.FromMilliseconds(500) };
        impatient.DefaultRequestHeaders.Authorization = Http.DefaultRequestHeaders.Authorization;

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.PostAsync($"contacts/{SampleData.Grace}/subscriptions",
            new StringContent("""{"id":"108","consent_type":"opt_in"}""", System.Text.Encoding.UTF8, "application/json")));

        Assert.Equal("opt_in", Server.State.GetChoices(SampleData.Grace)["108"]);
        Assert.True(SpinWait.SpinUntil(() => Server.Requests.Any(r => r.Method == "POST"), TimeSpan.FromSeconds(10)));
        Assert.True(Server.Requests.Single(r => r.Method == "POST").Dropped, "the answer never went out");
    }
}
