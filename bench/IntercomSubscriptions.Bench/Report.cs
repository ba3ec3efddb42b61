using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace IntercomSubscriptions.Bench;

/// <summary>The Markdown table: measured numbers, the targets, PASS/FAIL.</summary>
internal static class Report
{
    public static string ToMarkdown(BenchOptions options, BenchResults r, TimeSpan total)
    {
        var d = r.RateLimited;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Fake Intercom on 127.0.0.1, latency {options.LatencyMs} ms ((e): {options.MemoryLatencyMs} ms); "
            + $"{Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}; whole run {total.TotalSeconds:0} s.");
        text.AppendLine();
        text.AppendLine("| Measurement | Result | Target | Verdict |");
        text.AppendLine("|---|---|---|---|");
        Row(text, $"(a) module, default settings, {r.Module.Rows:N0} rows", Rate(r.Module), "", "");
        Row(text, $"(b) module, -ThrottleLimit 1, {r.ModuleSequential.Rows:N0} rows", Rate(r.ModuleSequential), "", "");
        Row(text, $"(c) raw HttpClient, 8 concurrent, {r.RawHttp.Rows:N0} rows", Rate(r.RawHttp), "", "");
        Row(text, "(a) / (c)", $"{r.ModuleVsRaw:0.00}", "≥ 0.85", Verdict(r.ModuleVsRawPassed));
        Row(text, "(a) / (b)", $"{r.ModuleVsSequential:0.00}", "≥ 6", Verdict(r.ModuleVsSequentialPassed));
        Row(text, $"(d) {d.Limit} per {d.WindowSeconds} s window, {d.Rows:N0} rows: accepted per full window / limit",
            $"{d.AchievedShare:0.000} (per window: {string.Join(", ", d.AcceptedPerWindow)}; {d.Rows / d.Elapsed.TotalSeconds:0.0} rows/s overall, {d.Elapsed.TotalSeconds:0.0} s)",
            "≥ 0.95", Verdict(d.AchievedShare >= 0.95));
        Row(text, "(d) 429s / requests", $"{d.ExhaustedShare:0.00%} ({d.RequestsWhileExhausted} of {d.TotalRequests})", "≤ 1%", Verdict(d.ExhaustedShare <= 0.01));
        Row(text, "(g) Ctrl+C mid-batch (2,000 rows, 200 ms latency): Stop() returned in / requests after it",
            $"{Benchmarks.Ms(r.Stop.StopTook)} / {r.Stop.RequestsAfterStop}", "≤ 1 s / 0", Verdict(r.Stop.Passed));
        Row(text, $"(e) peak managed memory, {r.MemorySmall.Rows:N0} rows", Memory(r.MemorySmall), "", "");
        Row(text, $"(e) peak managed memory, {r.MemoryLarge.Rows:N0} rows", Memory(r.MemoryLarge), "", "");
        Row(text, "(e) peak at large / peak at small", $"{r.MemoryGrowth:0.00}", "≤ 1.3", Verdict(r.MemoryPassed));
        Row(text, $"(f) Import-Module, fresh runspace (median of {r.Import.Runs.Count})",
            $"{Benchmarks.Ms(r.Import.Median)} (first in process {Benchmarks.Ms(r.Import.First)})", "", "");
        text.AppendLine();
        text.Append(r.AllPassed ? "All targets PASS." : "Some targets FAIL.");
        return text.ToString();
    }

    private static string Rate(ThroughputResult t) => $"{t.RowsPerSecond:N0} rows/s ({t.Elapsed.TotalSeconds:0.00} s)";

    private static string Memory(MemoryResult m) =>
        $"{Benchmarks.Mb(m.PeakTotalMemory)} (baseline {Benchmarks.Mb(m.Baseline)}, peak over baseline {Benchmarks.Mb(m.PeakTotalMemory - m.Baseline)}, "
        + $"retained after run {Benchmarks.Mb(m.RetainedAfterRun)}, {m.Rows / m.Elapsed.TotalSeconds:N0} rows/s)";

    private static string Verdict(bool passed) => passed ? "PASS" : "FAIL";

    private static void Row(StringBuilder text, string measurement, string result, string target, string verdict) =>
        text.AppendLine(CultureInfo.InvariantCulture, $"| {measurement} | {result} | {target} | {verdict} |");
}
