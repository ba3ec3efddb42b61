using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using FakeIntercom;
using IntercomSubscriptions.Tests;

namespace IntercomSubscriptions.Bench;

/// <summary>One cell of the matrix: a way of sending, at one latency, under one condition.</summary>
internal sealed record MatrixCell(
    string Way, int LatencyMs, MatrixCondition Condition, int Rows, TimeSpan Elapsed, IReadOnlyList<int> AcceptedPerWindow,
    int Limit, int TotalRequests, int Throttled, long? PeakMemoryOverBaseline, double? ShareOverride = null,
    OtherClientFigures? OtherClient = null, CopiesFigures? Copies = null)
{
    public IReadOnlyList<int> FullWindows => AcceptedPerWindow.Take(Math.Max(0, AcceptedPerWindow.Count - 1)).ToList();

    /// <summary>
    /// Accepted per full window / the limit (with another client on the app, what is left is its); for
    /// runs too short for a full window, rows/s against the limit's rate.
    /// </summary>
    public double Share => ShareOverride ?? (FullWindows.Count == 0 ? 0 : FullWindows.Average() / Limit);

    /// <summary>With another client on the app: accepted per full window / what the other client leaves (the limit less its requests per window).</summary>
    public double? ShareOfRoomLeft => Condition.OtherClientPerWindow == 0 || ShareOverride is not null || FullWindows.Count == 0
        ? null
        : FullWindows.Average() / Condition.LeftForUs(Limit);

    public double ThrottledShare => TotalRequests == 0 ? 0 : (double)Throttled / TotalRequests;
}

/// <summary>Two copies of the module on one app: each one's accepted requests per window while both ran, and its 429s.</summary>
internal sealed record CopiesFigures(IReadOnlyList<int> FirstPerWindow, IReadOnlyList<int> SecondPerWindow, int FirstThrottled, int SecondThrottled, int Limit)
{
    public override string ToString() =>
        $"first {FirstPerWindow.Average() / Limit:0.000}, second {SecondPerWindow.Average() / Limit:0.000} of the limit "
        + $"(per window {string.Join(", ", FirstPerWindow.Zip(SecondPerWindow, (a, b) => $"{a}+{b}"))}); 429s {FirstThrottled} / {SecondThrottled}";
}

/// <summary>What the simulated other client of the app sent and had refused in the run's full windows.</summary>
internal sealed record OtherClientFigures(int Sent, int Refused, IReadOnlyList<int> RefusedPerWindow)
{
    public double RefusedShare => Sent == 0 ? 0 : (double)Refused / Sent;

    public override string ToString() =>
        $"{RefusedShare:0.0%} ({Refused} of {Sent}; per window {string.Join(", ", RefusedPerWindow)})";
}

/// <summary>
/// What the server does besides its latency: faults (3% 5xx + 1% dropped connections), a limit of its
/// own instead of the run's (a small app), and another client of the app spending part of each window.
/// </summary>
internal sealed record MatrixCondition(string Name, bool Faults = false, int? Limit = null, int OtherClientPerWindow = 0, bool SecondCopy = false)
{
    public static readonly MatrixCondition None = new("none");
    public static readonly MatrixCondition WithFaults = new("3% 5xx + 1% drops", Faults: true);

    public static MatrixCondition Parse(string name, int limit) => name switch
    {
        "none" => None,
        "faults" => WithFaults,
        // Intercom's limit for a smaller app: a tenth of 1,666.
        "small" => new MatrixCondition("small limit (167 per window)", Limit: 167),
        // Another integration of the same app sending half a window's worth through every window
        // (counted while there is room, refused after).
        "shared" => new MatrixCondition($"another client sends {limit / 2} per window", OtherClientPerWindow: limit / 2),
        // A bursty other client: a second copy of the module, on the same app, starting a window after the first.
        "copies" => new MatrixCondition("a second copy of the module starts a window later", SecondCopy: true),
        _ => throw new ArgumentException($"Unknown matrix condition '{name}' (none, faults, small, shared, copies)."),
    };

    /// <summary>About what a window leaves this client: rows are sized by it so that a run spans the same windows.</summary>
    public int LeftForUs(int limit) => Math.Max(1, limit - OtherClientPerWindow);

    public override string ToString() => Name;
}

/// <summary>Calls the server saw per input row, for rows naming contacts by id, email or external id.</summary>
internal sealed record CallsPerRow(string Column, int Rows, int Calls, IReadOnlyDictionary<string, int> ByEndpoint)
{
    public double PerRow => (double)Calls / Rows;
}

/// <summary>
/// Issue 10's matrix: latency × condition (none, faults; optionally a small limit or a shared one) at Intercom's limit, for the module with default settings, the
/// best fixed -ThrottleLimit (a sweep), raw HttpClient with ideal pacing (an upper bound), and a
/// sequential loop (what an Invoke-RestMethod script does: one request after another).
/// </summary>
internal sealed class MatrixBenchmarks(BenchOptions options, TextWriter log)
{
    private const string SubscriptionId = "108";
    private const string AttachBody = """{"id":"108","consent_type":"opt_in"}""";

    public async Task<(IReadOnlyList<MatrixCell> Cells, IReadOnlyList<CallsPerRow> Calls)> RunAsync()
    {
        var cells = new List<MatrixCell>();
        var contacts = options.RateLimitedRows;
        await using var server = await FakeIntercomServer.StartAsync(new FakeIntercomOptions { RecordRequests = true });
        for (var i = 1; i <= contacts; i++)
        {
            server.State.AddContact("c" + i, $"u{i}@example.com", "x" + i);
            server.State.SetChoice("c" + i, SubscriptionId, "opt_out");
        }
        using var session = new PowerShellSession();
        session.Connect(server);

        var conditions = options.MatrixConditions.Select(name => MatrixCondition.Parse(name, options.RateLimit)).ToList();
        if (conditions.Any(c => c.SecondCopy))
        {
            for (var i = 1; i <= SecondCopyRows; i++)
                server.State.AddContact("d" + i, $"v{i}@example.com", "y" + i);
        }

        var calls = new List<CallsPerRow>();
        server.Faults.LatencyMs = 20;
        foreach (var (column, value) in new[] { ("contact_id", "\"c$i\""), ("email", "\"u$i@example.com\""), ("external_id", "\"x$i\"") })
            calls.Add(MeasureCalls(server, session, column, value, Math.Min(1000, contacts)));

        foreach (var latency in options.MatrixLatencies)
        {
            int? best = null;
            foreach (var condition in conditions)
            {
                server.Faults.LatencyMs = latency;
                if (condition.SecondCopy)
                {
                    if (options.MatrixWays.Contains("default"))
                        cells.Add(await RunTwoCopiesAsync(server, session, latency, condition));
                    continue;
                }
                server.Faults.ServerErrorRate = condition.Faults ? 0.03 : 0;
                server.Faults.DropConnectionRate = condition.Faults ? 0.01 : 0;
                if (options.MatrixWays.Contains("default"))
                    cells.Add(await RunModuleAsync(server, session, "module, default", "", latency, condition, options.Windows, sampleMemory: true));
                if (options.MatrixWays.Contains("journal"))
                {
                    // The same run writing a journal: an intent line on the disk before each request, its outcome after.
                    var journal = Path.Combine(Path.GetTempPath(), $"matrix-journal-{Guid.NewGuid():N}.jsonl");
                    try
                    {
                        cells.Add(await RunModuleAsync(server, session, "module, default, -JournalPath", $"-JournalPath '{journal}'", latency, condition, options.Windows, sampleMemory: true));
                    }
                    finally
                    {
                        File.Delete(journal);
                    }
                }
                if (options.MatrixWays.Contains("sweep"))
                {
                    if (best is null)
                    {
                        var sweep = new List<MatrixCell>();
                        foreach (var limit in options.SweepThrottleLimits)
                            sweep.Add(await RunModuleAsync(server, session, $"module, -ThrottleLimit {limit}", $"-ThrottleLimit {limit}", latency, condition, options.SweepWindows, sampleMemory: false));
                        var winner = sweep.OrderByDescending(c => c.Share).First();
                        best = int.Parse(winner.Way.Split(' ').Last(), CultureInfo.InvariantCulture);
                        cells.Add(winner with { Way = $"module, best fixed -ThrottleLimit ({best} of {string.Join("/", options.SweepThrottleLimits)})" });
                    }
                    else
                    {
                        var cell = await RunModuleAsync(server, session, "", $"-ThrottleLimit {best}", latency, condition, options.SweepWindows, sampleMemory: false);
                        cells.Add(cell with { Way = $"module, best fixed -ThrottleLimit ({best})" });
                    }
                }
                if (options.MatrixWays.Contains("raw"))
                    cells.Add(await RunRawPacedAsync(server, latency, condition));
                if (options.MatrixWays.Contains("sequential"))
                    cells.Add(await RunSequentialAsync(server, latency, condition));
            }
        }
        server.Faults.ServerErrorRate = 0;
        server.Faults.DropConnectionRate = 0;
        return (cells, calls);
    }

    private CallsPerRow MeasureCalls(FakeIntercomServer server, PowerShellSession session, string column, string valueExpression, int rows)
    {
        ResetChoices(server, rows);
        session.Run($"$rows = foreach ($i in 1..$n) {{ [pscustomobject]@{{ {column} = {valueExpression} }} }}", new() { ["n"] = rows });
        server.ResetLog();
        var result = session.Run("$rows | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in | Out-Null");
        session.Run("$rows = $null");
        if (result.Errors.Count > 0)
            throw new BenchmarkBrokenException($"calls per row by {column}: {result.Errors.Count} errors, the first: {result.Errors[0]}");
        RequireUpdated(server, rows, $"calls per row by {column}");
        var counts = server.CallCounts;
        var measured = new CallsPerRow(column, rows, counts.Values.Sum(), counts);
        Say($"calls per row by {column}: {measured.PerRow:0.000} ({string.Join(", ", counts.Select(c => $"{c.Key}: {c.Value}"))}).");
        return measured;
    }

    private async Task<MatrixCell> RunModuleAsync(FakeIntercomServer server, PowerShellSession session, string way, string parameters,
        int latency, MatrixCondition condition, int windows, bool sampleMemory)
    {
        var ours = condition.LeftForUs(condition.Limit ?? options.RateLimit);
        var rows = ours * windows + Math.Max(1, ours / 2);
        var label = $"{way} at {latency} ms, {condition}";
        ResetChoices(server, rows);
        session.Run("$rows = foreach ($i in 1..$n) { [pscustomobject]@{ contact_id = \"c$i\" } }", new() { ["n"] = rows });
        return await AtRateLimitAsync(server, latency, condition, way, label, rows, sampleMemory, () =>
        {
            var result = session.Run($"$rows | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in {parameters} | Out-Null");
            session.Run("$rows = $null");
            if (result.Errors.Count > 0)
                throw new BenchmarkBrokenException($"{label}: {result.Errors.Count} errors, the first: {result.Errors[0]}");
            return Task.CompletedTask;
        });
    }

    /// <summary>The second copy's rows (d1..dN): two and a half windows' worth, so that the copies run side by side for about five windows.</summary>
    private int SecondCopyRows => options.RateLimit * 5 / 2;

    /// <summary>
    /// Two copies of the module on one app (two runspaces, two connections, the same token): the first
    /// starts at a window's start with 3.5 windows of rows, the second a window later with 2.5. Measured
    /// over the windows both ran in, less the second's first: each one's accepted requests, and 429s.
    /// </summary>
    private async Task<MatrixCell> RunTwoCopiesAsync(FakeIntercomServer server, PowerShellSession first, int latency, MatrixCondition condition)
    {
        var limit = options.RateLimit;
        var firstRows = options.RateLimitedRows;
        var secondRows = SecondCopyRows;
        var label = $"two copies of the module at {latency} ms";
        ResetChoices(server, firstRows);
        for (var i = 1; i <= secondRows; i++)
            server.State.SetChoice("d" + i, SubscriptionId, "opt_out");
        using var second = new PowerShellSession();
        second.Connect(server);
        first.Run("$rows = foreach ($i in 1..$n) { [pscustomobject]@{ contact_id = \"c$i\" } }", new() { ["n"] = firstRows });
        second.Run("$rows = foreach ($i in 1..$n) { [pscustomobject]@{ contact_id = \"d$i\" } }", new() { ["n"] = secondRows });
        const string Attach = "$rows | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in | Out-Null";

        var window = options.WindowSeconds;
        server.Faults.RateLimitWindowSeconds = window;
        server.Faults.RateLimit = limit;
        try
        {
            var windowMs = window * 1000L;
            await NextWindowAsync(windowMs);
            server.ResetLog();
            var clock = Stopwatch.StartNew();
            var firstRun = Task.Run(() => first.Run(Attach));
            await Task.Delay(TimeSpan.FromSeconds(window));
            var secondStarted = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / windowMs;
            var secondRun = Task.Run(() => second.Run(Attach));
            var results = await Task.WhenAll(firstRun, secondRun);
            clock.Stop();
            first.Run("$rows = $null");
            if (results.FirstOrDefault(r => r.Errors.Count > 0) is { } failed)
                throw new BenchmarkBrokenException($"{label}: {failed.Errors.Count} errors, the first: {failed.Errors[0]}");
            RequireUpdated(server, firstRows, label);
            for (var i = 1; i <= secondRows; i++)
            {
                if (server.State.GetChoices("d" + i)[SubscriptionId] != "opt_in")
                    throw new BenchmarkBrokenException($"{label}: contact d{i} was not updated.");
            }

            var requests = server.Requests;
            static bool IsSecond(RecordedRequest r) => r.RawPath.StartsWith("/contacts/d", StringComparison.Ordinal);
            Dictionary<long, int> PerWindow(bool second) => requests.Where(r => r.StatusCode == 200 && IsSecond(r) == second)
                .GroupBy(r => r.CompletedAt.ToUnixTimeMilliseconds() / windowMs).ToDictionary(g => g.Key, g => g.Count());
            var firstPerWindow = PerWindow(second: false);
            var secondPerWindow = PerWindow(second: true);
            var from = secondStarted + 1;
            var to = Math.Min(firstPerWindow.Keys.Max(), secondPerWindow.Keys.Max()) - 1;
            var both = Enumerable.Range(0, (int)Math.Max(0, to - from + 1)).Select(i => from + i).ToList();
            if (both.Count == 0)
                throw new BenchmarkBrokenException($"{label}: the copies ran side by side for no full window.");
            var copies = new CopiesFigures(
                both.Select(w => firstPerWindow.GetValueOrDefault(w)).ToList(), both.Select(w => secondPerWindow.GetValueOrDefault(w)).ToList(),
                requests.Count(r => r.StatusCode == 429 && !IsSecond(r)), requests.Count(r => r.StatusCode == 429 && IsSecond(r)), limit);
            var perWindow = both.Select(w => firstPerWindow.GetValueOrDefault(w) + secondPerWindow.GetValueOrDefault(w)).ToList();
            var cell = new MatrixCell("module, default (two copies)", latency, condition, firstRows + secondRows, clock.Elapsed, perWindow,
                limit, requests.Count, server.RequestsWhileExhausted, null, ShareOverride: perWindow.Average() / limit, Copies: copies);
            Say($"{label}: {firstRows:N0} + {secondRows:N0} rows in {clock.Elapsed.TotalSeconds:0.0} s; both together {cell.Share:0.000} of the limit; {copies}.");
            return cell;
        }
        finally
        {
            server.Faults.RateLimit = null;
        }
    }

    /// <summary>
    /// The upper bound: raw HttpClient, 64 workers, paced by an oracle that knows the server's windows
    /// (epoch-aligned, <c>limit</c> each) and lets exactly <c>limit</c> requests reach each one; a failed
    /// request is sent again at once.
    /// </summary>
    private async Task<MatrixCell> RunRawPacedAsync(FakeIntercomServer server, int latency, MatrixCondition condition)
    {
        var limit = condition.LeftForUs(condition.Limit ?? options.RateLimit);
        var rows = limit * options.Windows + Math.Max(1, limit / 2);
        ResetChoices(server, rows);
        var label = $"raw HttpClient, ideal pacing at {latency} ms, {condition}";
        using var http = NewHttpClient(server);
        var windowMs = options.WindowSeconds * 1000L;
        var gate = new object();
        long currentWindow = -1;
        var sentInWindow = 0;
        return await AtRateLimitAsync(server, latency, condition, "raw HttpClient, ideal pacing (upper bound)", label, rows, false, async () =>
        {
            async Task PaceAsync(CancellationToken ct)
            {
                while (true)
                {
                    TimeSpan wait;
                    lock (gate)
                    {
                        // The server counts a request when it answers: name the window by its arrival plus latency.
                        var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + latency;
                        var window = at / windowMs;
                        if (window != currentWindow) { currentWindow = window; sentInWindow = 0; }
                        if (sentInWindow < limit) { sentInWindow++; return; }
                        wait = TimeSpan.FromMilliseconds((window + 1) * windowMs - at + 5);
                    }
                    await Task.Delay(wait, ct);
                }
            }
            await Parallel.ForEachAsync(Enumerable.Range(1, rows), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
            {
                for (var attempt = 0; ; attempt++)
                {
                    await PaceAsync(ct);
                    if (await TryAttachAsync(http, i, ct) || attempt >= 5) return;
                }
            });
        });
    }

    /// <summary>One request after another, retried after a second on failure: an Invoke-RestMethod loop.</summary>
    private async Task<MatrixCell> RunSequentialAsync(FakeIntercomServer server, int latency, MatrixCondition condition)
    {
        var rows = options.SequentialMatrixRows;
        ResetChoices(server, rows);
        using var http = NewHttpClient(server);
        server.Faults.RateLimit = condition.Limit ?? options.RateLimit;
        server.Faults.RateLimitWindowSeconds = options.WindowSeconds;
        server.Faults.OtherClientRequestsPerWindow = condition.OtherClientPerWindow;
        try
        {
            server.ResetLog();
            var clock = Stopwatch.StartNew();
            for (var i = 1; i <= rows; i++)
            {
                for (var attempt = 0; !await TryAttachAsync(http, i, CancellationToken.None) && attempt < 5; attempt++)
                    await Task.Delay(1000);
            }
            clock.Stop();
            RequireUpdated(server, rows, "sequential loop");
            var perSecond = rows / clock.Elapsed.TotalSeconds;
            var cell = new MatrixCell("sequential loop (Invoke-RestMethod script)", latency, condition, rows, clock.Elapsed, Array.Empty<int>(),
                condition.Limit ?? options.RateLimit, server.Requests.Count, server.RequestsWhileExhausted, null,
                ShareOverride: perSecond / ((double)(condition.Limit ?? options.RateLimit) / options.WindowSeconds));
            Say($"sequential loop at {latency} ms, {condition}: {rows} rows in {clock.Elapsed.TotalSeconds:0.0} s, share {cell.Share:0.000}.");
            return cell;
        }
        finally
        {
            server.Faults.RateLimit = null;
            server.Faults.OtherClientRequestsPerWindow = 0;
        }
    }

    private async Task<MatrixCell> AtRateLimitAsync(FakeIntercomServer server, int latency, MatrixCondition condition, string way, string label, int rows,
        bool sampleMemory, Func<Task> run)
    {
        var window = options.WindowSeconds;
        var limit = condition.Limit ?? options.RateLimit;
        server.Faults.RateLimitWindowSeconds = window;
        server.Faults.RateLimit = limit;
        server.Faults.OtherClientRequestsPerWindow = condition.OtherClientPerWindow;
        try
        {
            var windowMs = window * 1000L;
            await NextWindowAsync(windowMs);
            server.ResetLog();
            var baseline = sampleMemory ? MemorySampler.CollectFully() : 0;
            using var sampler = sampleMemory ? MemorySampler.Start(TimeSpan.FromMilliseconds(20)) : null;
            var clock = Stopwatch.StartNew();
            await run();
            clock.Stop();
            sampler?.Stop();
            RequireUpdated(server, rows, label);
            var requests = server.Requests;
            var byWindow = requests.Where(r => r.StatusCode == 200)
                .GroupBy(r => r.CompletedAt.ToUnixTimeMilliseconds() / windowMs)
                .ToDictionary(g => g.Key, g => g.Count());
            var perWindow = new List<int>();
            for (var w = byWindow.Keys.Min(); w <= byWindow.Keys.Max(); w++)
                perWindow.Add(byWindow.GetValueOrDefault(w));
            var cell = new MatrixCell(way, latency, condition, rows, clock.Elapsed, perWindow, limit, requests.Count,
                server.RequestsWhileExhausted, sampler is null ? null : sampler.PeakTotalMemory - baseline,
                OtherClient: condition.OtherClientPerWindow == 0 ? null : OtherClientIn(server, byWindow.Keys.Min(), byWindow.Keys.Max() - 1, windowMs));
            Say($"{label}: {rows:N0} rows in {clock.Elapsed.TotalSeconds:0.0} s; per window [{string.Join(", ", perWindow)}]; share {cell.Share:0.000}"
                + (cell.ShareOfRoomLeft is { } room ? $" ({room:0.000} of the room the other client leaves)" : "") + "; "
                + $"{cell.Throttled} of {cell.TotalRequests} got 429"
                + (cell.OtherClient is { } other ? $"; the other client's refused: {other}" : "")
                + $"; max {server.MaxConcurrentRequests} concurrent"
                + (cell.PeakMemoryOverBaseline is { } peak ? $"; peak memory +{Benchmarks.Mb(peak)}" : "") + ".");
            return cell;
        }
        finally
        {
            server.Faults.RateLimit = null;
            server.Faults.OtherClientRequestsPerWindow = 0;
        }
    }

    /// <summary>The other client's requests and refusals in the windows <paramref name="first"/>..<paramref name="last"/> (window numbers: Unix ms / window ms).</summary>
    private static OtherClientFigures OtherClientIn(FakeIntercomServer server, long first, long last, long windowMs)
    {
        var windows = server.OtherClient.Windows
            .Where(w => w.StartUnixSeconds * 1000 / windowMs is var n && n >= first && n <= last)
            .ToList();
        return new OtherClientFigures(windows.Sum(w => w.Sent), windows.Sum(w => w.Refused), windows.Select(w => w.Refused).ToList());
    }

    /// <summary>Waits until just after the next window boundary, so that the first window measured is a whole one.</summary>
    private static Task NextWindowAsync(long windowMs)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return Task.Delay(TimeSpan.FromMilliseconds((now / windowMs + 1) * windowMs + 50 - now));
    }

    private static HttpClient NewHttpClient(FakeIntercomServer server)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        var http = new HttpClient(handler) { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.Token);
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        http.DefaultRequestHeaders.TryAddWithoutValidation("Intercom-Version", "2.14");
        return http;
    }

    private static async Task<bool> TryAttachAsync(HttpClient http, int i, CancellationToken ct)
    {
        try
        {
            using var content = new StringContent(AttachBody, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync($"contacts/c{i}/subscriptions", content, ct);
            _ = await response.Content.ReadAsStringAsync(ct);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static void ResetChoices(FakeIntercomServer server, int rows)
    {
        for (var i = 1; i <= rows; i++)
            server.State.SetChoice("c" + i, SubscriptionId, "opt_out");
    }

    /// <summary>Every row really went through: each contact now has opt_in (it had opt_out).</summary>
    private static void RequireUpdated(FakeIntercomServer server, int rows, string label)
    {
        for (var i = 1; i <= rows; i++)
        {
            if (server.State.GetChoices("c" + i)[SubscriptionId] != "opt_in")
                throw new BenchmarkBrokenException($"{label}: contact c{i} was not updated.");
        }
    }

    private void Say(string message) => log.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    public static string ToMarkdown(BenchOptions options, IReadOnlyList<MatrixCell> cells, IReadOnlyList<CallsPerRow> calls, TimeSpan total)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Limit {options.RateLimit} per {options.WindowSeconds} s unless the condition says otherwise; "
            + $"share = accepted per full window / the limit; {Environment.ProcessorCount} cores; whole run {total.TotalSeconds:0} s.");
        text.AppendLine();
        text.AppendLine("| way | latency | condition | share of the limit | share of the room the other client leaves | 429s | the other client's requests refused (full windows) | rows | peak memory over baseline |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var c in cells)
            text.AppendLine(CultureInfo.InvariantCulture, $"| {c.Way} | {c.LatencyMs} ms | {c.Condition} | {c.Share:0.000} | {(c.ShareOfRoomLeft is { } room ? room.ToString("0.000", CultureInfo.InvariantCulture) : "")} "
                + $"| {c.ThrottledShare:0.0%} ({c.Throttled}) | {c.OtherClient?.ToString() ?? (c.Copies is { } copies ? "two copies: " + copies : "")} | {c.Rows:N0} | {(c.PeakMemoryOverBaseline is { } m ? Benchmarks.Mb(m) : "")} |");
        text.AppendLine();
        text.AppendLine("| calls per row (module, default, 20 ms, no limit) | rows | calls per row | by endpoint |");
        text.AppendLine("|---|---|---|---|");
        foreach (var c in calls)
            text.AppendLine(CultureInfo.InvariantCulture, $"| by {c.Column} | {c.Rows:N0} | {c.PerRow:0.00} | {string.Join(", ", c.ByEndpoint.Select(e => $"{e.Key}: {e.Value}"))} |");
        return text.ToString();
    }
}
