using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using IntercomSubscriptions.Tests;

namespace IntercomSubscriptions.Bench;

/// <summary>
/// The runbook case of issue 12: peak working set (what Azure Automation's 400 MB sandbox limit
/// counts) of a -Summary run of 1,000,000 rows by id and 200,000 rows by email, rows made one by one
/// in the pipeline as Import-Csv makes them. Run by hand: <c>--runbook-memory</c>.
/// The fake Intercom runs in a child process (<see cref="FakeIntercomProcess"/>), so this process is
/// what a runbook's is: PowerShell, the module, the rows and the run's garbage.
/// </summary>
/// <remarks>With <c>--journal</c> each run writes a journal (-JournalPath, in the temp folder): its size,
/// lines and longest line are reported, and the file is deleted after.</remarks>
internal sealed class RunbookMemory(TextWriter log, int latencyMs, int? rateLimit, bool journal = false)
{
    private const string ById =
        "1..$n | ForEach-Object { [pscustomobject]@{ contact_id = \"c$_\" } } | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -ErrorAction SilentlyContinue";
    private const string ByEmail =
        "1..$n | ForEach-Object { [pscustomobject]@{ email = \"c$_@example.com\" } } | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -ErrorAction SilentlyContinue";
    private const string Attach = "POST /contacts/{id}/subscriptions";
    private const string Search = "POST /contacts/search";
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(50);

    public sealed record Result(
        string Label,
        int Rows,
        int LatencyMs,
        int? RateLimit,
        TimeSpan Elapsed,
        long BaselineWorkingSet,
        long BaselineManaged,
        long PeakSampledWorkingSet,
        long PeakWorkingSet,
        bool PeakWorkingSetIsThisRuns,
        long PeakManaged,
        long RetainedManaged,
        int Gen0Collections,
        int Gen1Collections,
        int Gen2Collections,
        double SearchesPerRow,
        string Summary,
        JournalSize? Journal);

    /// <summary>What a run's journal came to: its bytes, lines, and the longest line in bytes.</summary>
    public sealed record JournalSize(long Bytes, long Lines, int LongestLine);

    /// <summary>The runtime and GC mode the figures were taken under.</summary>
    public static string Runtime()
    {
        var gc = GC.GetConfigurationVariables();
        string Setting(string name) => gc.TryGetValue(name, out var value) ? value.ToString() ?? "" : "?";
        return $"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores; "
            + $"GC: {(GCSettings.IsServerGC ? "Server" : "Workstation")}, concurrent {Setting("ConcurrentGC")}, latency mode {GCSettings.LatencyMode}, "
            + $"heap hard limit {Setting("GCHeapHardLimit")}, conserve memory {Setting("GCConserveMem")}";
    }

    public async Task<IReadOnlyList<Result>> RunAsync(int idRows, int emailRows)
    {
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] {Runtime()}");
        log.WriteLine("GC configuration: " + string.Join(", ", GC.GetConfigurationVariables().OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}")));
        var results = new List<Result>();
        if (idRows > 0) results.Add(await MeasureAsync("by id", ById, idRows, withEmail: false));
        if (emailRows > 0) results.Add(await MeasureAsync("by email", ByEmail, emailRows, withEmail: true));
        return results;
    }

    private async Task<Result> MeasureAsync(string label, string script, int rows, bool withEmail)
    {
        var fakeArguments = new List<string>
        {
            "--contacts", rows.ToString(CultureInfo.InvariantCulture), "--opt-out", "108", "--no-request-log",
            "--latency-ms", latencyMs.ToString(CultureInfo.InvariantCulture),
        };
        if (withEmail) fakeArguments.Add("--contact-emails");
        // Without a rate limit the answers carry no X-RateLimit-Limit, and the module's adaptive
        // concurrency stays at its start (8); a limit far above the rows' pace lets it rise to its cap.
        if (rateLimit is int limit) fakeArguments.AddRange(["--rate-limit", limit.ToString(CultureInfo.InvariantCulture)]);
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] {label}: starting the fake Intercom with {rows:N0} contacts, latency {latencyMs} ms, rate limit {(rateLimit is int l ? $"{l:N0} per 10 s" : "none")}, in a process of its own ...");
        await using var fake = await FakeIntercomProcess.StartAsync(fakeArguments);

        using var session = new PowerShellSession();
        session.Connect(fake.BaseUri, fake.Token);
        var baselineManaged = MemorySampler.CollectFully();
        var peakIsThisRuns = ResetPeakWorkingSet();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        var heap = GC.GetGCMemoryInfo();
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] {label}: {rows:N0} rows, baseline working set {Benchmarks.Mb(baseline)}, managed {Benchmarks.Mb(baselineManaged)} "
            + $"(heap {Benchmarks.Mb(heap.HeapSizeBytes)}, committed {Benchmarks.Mb(heap.TotalCommittedBytes)}; runspace open, module imported, connected) ...");

        var journalPath = journal ? Path.Combine(Path.GetTempPath(), $"runbook-memory-{Guid.NewGuid():N}.jsonl") : null;
        if (journalPath is not null) script += $" -JournalPath '{journalPath}'";
        var collections = (Gen0: GC.CollectionCount(0), Gen1: GC.CollectionCount(1), Gen2: GC.CollectionCount(2));
        using var sampler = MemorySampler.Start(SampleInterval);
        var (elapsed, summaryText) = RunChecked(session, label, script, rows);
        sampler.Stop();
        var sampledPeak = sampler.PeakWorkingSet;
        process.Refresh();
        var peakWorkingSet = process.PeakWorkingSet64;
        collections = (GC.CollectionCount(0) - collections.Gen0, GC.CollectionCount(1) - collections.Gen1, GC.CollectionCount(2) - collections.Gen2);
        var retained = MemorySampler.CollectFully();

        var journalSize = journalPath is null ? null : MeasureJournal(journalPath);
        var calls = await fake.StopAsync();
        var attaches = calls.GetValueOrDefault(Attach);
        if (attaches != rows)
            throw new BenchmarkBrokenException($"{label}: the fake saw {attaches:N0} attaches for {rows:N0} rows.");

        var measured = new Result(label, rows, latencyMs, rateLimit, elapsed, baseline, baselineManaged, sampledPeak, peakWorkingSet, peakIsThisRuns,
            sampler.PeakTotalMemory, retained, collections.Gen0, collections.Gen1, collections.Gen2,
            calls.GetValueOrDefault(Search) / (double)rows, summaryText, journalSize);
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] {label}: {rows / elapsed.TotalSeconds:N0} rows/s, peak working set {Benchmarks.Mb(peakWorkingSet)} "
            + $"(sampled {Benchmarks.Mb(sampledPeak)}), baseline {Benchmarks.Mb(baseline)}; managed peak {Benchmarks.Mb(sampler.PeakTotalMemory)} "
            + $"(baseline {Benchmarks.Mb(baselineManaged)}, retained after the run {Benchmarks.Mb(retained)}); GCs {collections.Gen0}/{collections.Gen1}/{collections.Gen2}. {summaryText}"
            + (journalSize is { } size ? $" Journal: {size.Bytes:N0} bytes, {size.Lines:N0} lines, the longest {size.LongestLine} bytes." : ""));
        return measured;
    }

    /// <summary>The journal's size and line lengths (read once, a line at a time), then the file is deleted.</summary>
    private static JournalSize MeasureJournal(string path)
    {
        long lines = 0;
        var longest = 0;
        foreach (var line in File.ReadLines(path))
        {
            lines++;
            longest = Math.Max(longest, System.Text.Encoding.UTF8.GetByteCount(line) + 1);
        }
        var size = new JournalSize(new FileInfo(path).Length, lines, longest);
        File.Delete(path);
        return size;
    }

    /// <summary>Runs the script and checks it wrote one summary with every row succeeded; the output is not kept, so what stays after it is the module's.</summary>
    private static (TimeSpan Elapsed, string Summary) RunChecked(PowerShellSession session, string label, string script, int rows)
    {
        var clock = Stopwatch.StartNew();
        var result = session.Run(script, new() { ["n"] = rows });
        clock.Stop();
        var summary = result.Output.Count == 1 ? result.Output[0] : throw new BenchmarkBrokenException($"{label}: expected one summary, got {result.Output.Count} objects.");
        var succeeded = (long)summary.Properties["Succeeded"].Value;
        if (succeeded != rows)
            throw new BenchmarkBrokenException($"{label}: {succeeded:N0} of {rows:N0} rows succeeded ({summary}).");
        return (clock.Elapsed, summary.ToString());
    }

    /// <summary>
    /// Linux keeps the process's peak resident set (VmHWM, which PeakWorkingSet64 reads) for its whole
    /// life; writing 5 to clear_refs resets it, so the peak is this run's, not the set-up's or an
    /// earlier run's. False where that cannot be done: the peak is then the process's so far.
    /// </summary>
    private static bool ResetPeakWorkingSet()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static string ToMarkdown(IReadOnlyList<Result> results) =>
        "| Run (-Summary" + (results.Any(r => r.Journal is not null) ? ", -JournalPath" : "") + ") | Rows | Fake latency, rate limit | Time | Baseline working set (managed) | Peak working set: PeakWorkingSet64 (sampled every 50 ms) | Growth over baseline | Managed peak (GetTotalMemory) | Managed retained after the run | GCs gen0/1/2 | Searches per row | Journal: bytes, lines, longest line |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        + string.Join("\n", results.Select(r =>
            $"| {r.Label} | {r.Rows:N0} | {r.LatencyMs} ms, {(r.RateLimit is int limit ? $"{limit:N0} per 10 s" : "none")} | {r.Elapsed.TotalSeconds:0} s ({r.Rows / r.Elapsed.TotalSeconds:N0} rows/s) | {Benchmarks.Mb(r.BaselineWorkingSet)} ({Benchmarks.Mb(r.BaselineManaged)}) "
            + $"| **{Benchmarks.Mb(r.PeakWorkingSet)}**{(r.PeakWorkingSetIsThisRuns ? "" : " (process peak so far)")} ({Benchmarks.Mb(r.PeakSampledWorkingSet)}) "
            + $"| {Benchmarks.Mb(Math.Max(r.PeakWorkingSet, r.PeakSampledWorkingSet) - r.BaselineWorkingSet)} | {Benchmarks.Mb(r.PeakManaged)} | {Benchmarks.Mb(r.RetainedManaged)} "
            + $"| {r.Gen0Collections}/{r.Gen1Collections}/{r.Gen2Collections} | {r.SearchesPerRow:0.00} "
            + $"| {(r.Journal is { } j ? $"{j.Bytes:N0}, {j.Lines:N0}, {j.LongestLine} B" : "none")} |"));
}
