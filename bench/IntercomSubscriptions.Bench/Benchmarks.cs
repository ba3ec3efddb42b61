using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using FakeIntercom;
using IntercomSubscriptions.Tests;

namespace IntercomSubscriptions.Bench;

internal sealed record ThroughputResult(string Label, int Rows, TimeSpan Elapsed, int MaxConcurrentRequests)
{
    public double RowsPerSecond => Rows / Elapsed.TotalSeconds;
}

internal sealed record RateLimitResult(
    int Limit, int WindowSeconds, int Rows, TimeSpan Elapsed,
    IReadOnlyList<int> AcceptedPerWindow, int TotalRequests, int RequestsWhileExhausted)
{
    /// <summary>Every window but the last, where the input ran out.</summary>
    public IReadOnlyList<int> FullWindows => AcceptedPerWindow.Take(Math.Max(0, AcceptedPerWindow.Count - 1)).ToList();

    /// <summary>Accepted requests per full window as a share of the limit.</summary>
    public double AchievedShare => FullWindows.Count == 0 ? 0 : FullWindows.Average() / Limit;

    public double ExhaustedShare => TotalRequests == 0 ? 0 : (double)RequestsWhileExhausted / TotalRequests;
}

internal sealed record StopResult(TimeSpan StopTook, int RequestsBeforeStop, int RequestsAfterStop)
{
    public bool Passed => StopTook <= TimeSpan.FromSeconds(1) && RequestsAfterStop == 0;
}

internal sealed record MemoryResult(int Rows, TimeSpan Elapsed, long Baseline, long PeakTotalMemory, long PeakHeapSize, long RetainedAfterRun, int Samples);

internal sealed record ImportResult(IReadOnlyList<TimeSpan> Runs)
{
    public TimeSpan First => Runs[0];

    public TimeSpan Median
    {
        get
        {
            var sorted = Runs.OrderBy(r => r).ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }
    }
}

internal sealed record BenchResults(
    ImportResult Import,
    ThroughputResult Module,
    ThroughputResult ModuleSequential,
    ThroughputResult RawHttp,
    RateLimitResult RateLimited,
    StopResult Stop,
    MemoryResult MemorySmall,
    MemoryResult MemoryLarge)
{
    public double ModuleVsRaw => Module.RowsPerSecond / RawHttp.RowsPerSecond;
    public double ModuleVsSequential => Module.RowsPerSecond / ModuleSequential.RowsPerSecond;
    public double MemoryGrowth => (double)MemoryLarge.PeakTotalMemory / MemorySmall.PeakTotalMemory;

    public bool ModuleVsRawPassed => ModuleVsRaw >= 0.85;
    public bool ModuleVsSequentialPassed => ModuleVsSequential >= 6;
    public bool RateLimitedPassed => RateLimited.AchievedShare >= 0.95 && RateLimited.ExhaustedShare <= 0.01;
    public bool MemoryPassed => MemoryGrowth <= 1.3;
    public bool AllPassed => ModuleVsRawPassed && ModuleVsSequentialPassed && RateLimitedPassed && MemoryPassed && Stop.Passed;
}

/// <summary>The measurements, in the order that keeps them independent: import first (cold), memory last.</summary>
internal sealed class Benchmarks(BenchOptions options, TextWriter log)
{
    private const string SubscriptionId = "108";
    private const string AttachBody = """{"id":"108","consent_type":"opt_in"}""";
    private static string AddScript(string extraParameters) =>
        $"$rows | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in {extraParameters} | Out-Null";
    // Rows made one by one inside the pipeline, so the input is never held as a whole.
    private const string LazyAddScript =
        "1..$n | ForEach-Object { [pscustomobject]@{ contact_id = \"c$_\" } } | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in | Out-Null";

    public async Task<BenchResults> RunAllAsync()
    {
        var import = MeasureImport();

        ThroughputResult module, sequential, raw;
        RateLimitResult rateLimited;
        StopResult stop;
        await using (var server = await StartServerAsync(recordRequests: true, options.LatencyMs, options.ThroughputContactsNeeded))
        using (var session = new PowerShellSession())
        {
            session.Connect(server);
            Say($"Warming up ({BenchOptions.WarmUpRows} rows through the module and through raw HttpClient)...");
            RunModule(server, session, BenchOptions.WarmUpRows, "", "warm-up");
            await RunRawAsync(server, BenchOptions.WarmUpRows, "warm-up");

            module = RunModule(server, session, options.Rows, "", "(a) module, default settings");
            sequential = RunModule(server, session, options.SequentialRows, "-ThrottleLimit 1", "(b) module, ThrottleLimit 1");
            raw = await RunRawAsync(server, options.Rows, "(c) raw HttpClient, 8 concurrent");
            rateLimited = await RunRateLimitedAsync(server, session);
            stop = MeasureStop(server, session);
        }

        var (small, large) = await MeasureMemoryAsync();
        return new BenchResults(import, module, sequential, raw, rateLimited, stop, small, large);
    }

    private async Task<FakeIntercomServer> StartServerAsync(bool recordRequests, int latencyMs, int contacts)
    {
        var server = await FakeIntercomServer.StartAsync(new FakeIntercomOptions { RecordRequests = recordRequests });
        server.Faults.LatencyMs = latencyMs;
        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= contacts; i++)
        {
            var id = "c" + i;
            server.State.AddContact(id);
            SetOwnChoice(server, id);
        }
        Say($"Fake Intercom at {server.BaseUri} with {contacts:N0} contacts (set up in {clock.Elapsed.TotalSeconds:0.0} s), latency {latencyMs} ms, request log {(recordRequests ? "on" : "off")}.");
        return server;
    }

    /// <summary>
    /// Gives the contact an opt_out choice held in its own string. The fake stores each attach's
    /// consent as a new string, so with a shared literal here its state would grow by a string per
    /// row and count against the module in (e); this way it does not grow: each attach's "opt_in"
    /// replaces an "opt_out" string no smaller than it (both take 40 bytes on a 64-bit runtime).
    /// Attaching replaces the value; the key is already there.
    /// </summary>
    private static void SetOwnChoice(FakeIntercomServer server, string contactId) =>
        server.State.SetChoice(contactId, SubscriptionId, new string("opt_out".AsSpan()));

    // ---------------------------------------------------------------------------------------------
    // (f) Import-Module
    // ---------------------------------------------------------------------------------------------

    private ImportResult MeasureImport()
    {
        // Warm the engine itself, so that the first import measures the module, not PowerShell's own start-up.
        using (var engine = new PowerShellSession(importModule: false))
            engine.Run("$null = Get-Command Get-Module");

        var runs = new List<TimeSpan>();
        for (var i = 0; i < options.ImportRuns; i++)
        {
            using var session = new PowerShellSession(importModule: false);
            var clock = Stopwatch.StartNew();
            var result = session.Run("Import-Module $manifest -ErrorAction Stop", new() { ["manifest"] = PowerShellSession.ManifestPath });
            clock.Stop();
            if (result.Errors.Count > 0)
                throw new BenchmarkBrokenException("Import-Module failed: " + result.Errors[0]);
            runs.Add(clock.Elapsed);
        }
        var import = new ImportResult(runs);
        Say($"(f) Import-Module: first {Ms(import.First)}, median of {runs.Count} {Ms(import.Median)} ({string.Join(", ", runs.Select(Ms))}).");
        return import;
    }

    // ---------------------------------------------------------------------------------------------
    // (a), (b) the module; (c) raw HttpClient
    // ---------------------------------------------------------------------------------------------

    private ThroughputResult RunModule(FakeIntercomServer server, PowerShellSession session, int rows, string extraParameters, string label)
    {
        BuildRows(session, rows);
        server.ResetLog();
        var clock = Stopwatch.StartNew();
        var result = session.Run(AddScript(extraParameters));
        clock.Stop();
        session.Run("$rows = $null");
        if (result.Errors.Count > 0)
            throw new BenchmarkBrokenException($"{label}: {result.Errors.Count} errors, the first: {result.Errors[0]}");
        RequireAccepted(server, rows, label);
        var measured = new ThroughputResult(label, rows, clock.Elapsed, server.MaxConcurrentRequests);
        Say($"{label}: {rows:N0} rows in {measured.Elapsed.TotalSeconds:0.00} s = {measured.RowsPerSecond:N0} rows/s (max {measured.MaxConcurrentRequests} concurrent at the server).");
        return measured;
    }

    private static void BuildRows(PowerShellSession session, int rows)
    {
        var built = session.Run("$rows = foreach ($i in 1..$n) { [pscustomobject]@{ contact_id = \"c$i\" } }; $rows.Count", new() { ["n"] = rows });
        if (built.Errors.Count > 0 || built.Output.Count != 1 || Convert.ToInt32(built.Output[0].BaseObject, CultureInfo.InvariantCulture) != rows)
            throw new BenchmarkBrokenException("Could not build the input rows: " + (built.Errors.Count > 0 ? built.Errors[0].ToString() : "wrong count"));
    }

    private async Task<ThroughputResult> RunRawAsync(FakeIntercomServer server, int rows, string label)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.Token);
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        http.DefaultRequestHeaders.TryAddWithoutValidation("Intercom-Version", "2.14");

        server.ResetLog();
        var failures = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(1, rows), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            using var content = new StringContent(AttachBody, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync($"contacts/c{i}/subscriptions", content, ct);
            // Read the answer as the module does: a client that ignored it would not be a fair ceiling.
            _ = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failures);
        });
        clock.Stop();
        if (failures > 0)
            throw new BenchmarkBrokenException($"{label}: {failures} requests failed.");
        RequireAccepted(server, rows, label);
        var measured = new ThroughputResult(label, rows, clock.Elapsed, server.MaxConcurrentRequests);
        Say($"{label}: {rows:N0} rows in {measured.Elapsed.TotalSeconds:0.00} s = {measured.RowsPerSecond:N0} rows/s (max {measured.MaxConcurrentRequests} concurrent at the server).");
        return measured;
    }

    private static void RequireAccepted(FakeIntercomServer server, int rows, string label)
    {
        var accepted = server.Requests.Count(r => r.Method == "POST" && r.StatusCode == 200);
        if (accepted != rows)
            throw new BenchmarkBrokenException($"{label}: the server accepted {accepted} attach requests, expected {rows}.");
    }

    // ---------------------------------------------------------------------------------------------
    // (d) rate-limited
    // ---------------------------------------------------------------------------------------------

    private async Task<RateLimitResult> RunRateLimitedAsync(FakeIntercomServer server, PowerShellSession session)
    {
        var limit = options.RateLimit;
        var window = options.WindowSeconds;
        var rows = options.RateLimitedRows;
        var label = $"(d) module, default settings, {limit} requests per {window} s";
        Say($"{label}: {rows:N0} rows, about {options.Windows + 1} windows...");
        BuildRows(session, rows);
        server.Faults.RateLimitWindowSeconds = window;
        server.Faults.RateLimit = limit;
        try
        {
            // Start just after a window boundary, so the first window is a whole one.
            var windowMs = window * 1000L;
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await Task.Delay(TimeSpan.FromMilliseconds((now / windowMs + 1) * windowMs + 50 - now));
            server.ResetLog();
            var clock = Stopwatch.StartNew();
            var result = session.Run(AddScript(""));
            clock.Stop();
            session.Run("$rows = $null");
            if (result.Errors.Count > 0)
                throw new BenchmarkBrokenException($"{label}: {result.Errors.Count} errors, the first: {result.Errors[0]}");
            RequireAccepted(server, rows, label);

            // Which server window each accepted request was counted in: the server decides right
            // before it answers, so the completion time names the window.
            var requests = server.Requests;
            var byWindow = requests.Where(r => r.StatusCode == 200)
                .GroupBy(r => r.CompletedAt.ToUnixTimeMilliseconds() / windowMs)
                .ToDictionary(g => g.Key, g => g.Count());
            var first = byWindow.Keys.Min();
            var last = byWindow.Keys.Max();
            var perWindow = new List<int>();
            for (var w = first; w <= last; w++)
                perWindow.Add(byWindow.GetValueOrDefault(w));
            var measured = new RateLimitResult(limit, window, rows, clock.Elapsed, perWindow, requests.Count, server.RequestsWhileExhausted);
            if (measured.FullWindows.Count < 3)
                throw new BenchmarkBrokenException($"{label}: the run spanned only {measured.FullWindows.Count} full windows; give more --windows.");
            // Where in its window each 429 fell (ms after the window began): tells a boundary race from a miscount.
            var throttled = requests.Where(r => r.WhileExhausted)
                .Select(r => $"w{r.CompletedAt.ToUnixTimeMilliseconds() / windowMs - first}+{r.CompletedAt.ToUnixTimeMilliseconds() % windowMs}ms")
                .Take(20).ToList();
            Say($"{label}: {clock.Elapsed.TotalSeconds:0.0} s; accepted per window [{string.Join(", ", perWindow)}]; "
                + $"{measured.RequestsWhileExhausted} of {measured.TotalRequests} requests got 429"
                + (throttled.Count == 0 ? "." : $" at {string.Join(" ", throttled)}."));
            return measured;
        }
        finally
        {
            server.Faults.RateLimit = null;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // (g) Ctrl+C: how long StopProcessing takes with requests in flight, and that nothing is sent after
    // ---------------------------------------------------------------------------------------------

    private StopResult MeasureStop(FakeIntercomServer server, PowerShellSession session)
    {
        const int rows = 2000;
        const string label = "(g) Ctrl+C mid-batch, 200 ms latency";
        BuildRows(session, rows);
        server.Faults.LatencyMs = 200;
        server.ResetLog();
        var stopTook = TimeSpan.Zero;
        var stoppedAt = DateTimeOffset.MaxValue;
        var before = 0;
        try
        {
            session.Run(AddScript(""), whileRunning: shell =>
            {
                // The server logs a request as it answers it: wait until the run is well under way.
                SpinWait.SpinUntil(() => server.Requests.Count >= 40, TimeSpan.FromSeconds(30));
                before = server.Requests.Count;
                var clock = Stopwatch.StartNew();
                shell.Stop();
                stopTook = clock.Elapsed;
                stoppedAt = DateTimeOffset.UtcNow;
            });
            Thread.Sleep(1000); // anything still to arrive would arrive by now
        }
        finally
        {
            server.Faults.LatencyMs = options.LatencyMs;
            session.Run("$rows = $null");
        }
        var after = server.Requests.Count(r => r.ReceivedAt > stoppedAt);
        Say($"{label}: Stop() returned in {Ms(stopTook)} after {before} answered requests; {after} requests arrived after it.");
        return new StopResult(stopTook, before, after);
    }

    // ---------------------------------------------------------------------------------------------
    // (e) memory
    // ---------------------------------------------------------------------------------------------

    private async Task<(MemoryResult Small, MemoryResult Large)> MeasureMemoryAsync()
    {
        // A separate fake that keeps no request log: in this process its log would grow with the input.
        await using var server = await StartServerAsync(recordRequests: false, options.MemoryLatencyMs, options.MemoryLargeRows);
        using var session = new PowerShellSession();
        session.Connect(server);
        RunLazy(server, session, Math.Min(1000, options.MemorySmallRows), "warm-up", sample: false);
        var small = RunLazy(server, session, options.MemorySmallRows, "(e) memory", sample: true)!;
        var large = RunLazy(server, session, options.MemoryLargeRows, "(e) memory", sample: true)!;
        return (small, large);
    }

    private MemoryResult? RunLazy(FakeIntercomServer server, PowerShellSession session, int rows, string label, bool sample)
    {
        for (var i = 1; i <= rows; i++)
            SetOwnChoice(server, "c" + i);

        var baseline = MemorySampler.CollectFully();
        using var sampler = sample ? MemorySampler.Start(TimeSpan.FromMilliseconds(20)) : null;
        var clock = Stopwatch.StartNew();
        var result = session.Run(LazyAddScript, new() { ["n"] = rows });
        clock.Stop();
        sampler?.Stop();
        if (result.Errors.Count > 0)
            throw new BenchmarkBrokenException($"{label} ({rows:N0} rows): {result.Errors.Count} errors, the first: {result.Errors[0]}");
        var retained = MemorySampler.CollectFully() - baseline;

        // Every row really went through: each contact now has opt_in (it had opt_out).
        for (var i = 1; i <= rows; i++)
        {
            if (server.State.GetChoices("c" + i)[SubscriptionId] != "opt_in")
                throw new BenchmarkBrokenException($"{label} ({rows:N0} rows): contact c{i} was not updated.");
        }
        if (sampler is null) return null;

        var measured = new MemoryResult(rows, clock.Elapsed, baseline, sampler.PeakTotalMemory, sampler.PeakHeapSize, retained, sampler.Samples);
        Say($"{label} ({rows:N0} rows, {rows / clock.Elapsed.TotalSeconds:N0} rows/s): baseline {Mb(baseline)}, peak {Mb(measured.PeakTotalMemory)} "
            + $"(GC heap size peak {Mb(measured.PeakHeapSize)}, {measured.Samples} samples), retained after the run {Mb(retained)}.");
        return measured;
    }

    private void Say(string message) => log.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    internal static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0} ms";

    internal static string Mb(long bytes) => $"{bytes / (1024.0 * 1024.0):0.0} MB";
}
