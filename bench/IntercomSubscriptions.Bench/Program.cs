using System.Diagnostics;
using System.Globalization;
using FakeIntercom;
using IntercomSubscriptions.Tests;

namespace IntercomSubscriptions.Bench;

/// <summary>
/// Runs every measurement, (a) to (g) as bench/README.md lists them, in one process and prints a
/// Markdown table with the targets.
/// Exit code 0 when every target passes, 1 when one fails, 2 on bad arguments or a broken run.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // (h) the workspace audit needs a 100,000-contact workspace of its own; (i) paging that never
        // ends, a fake that misbehaves: each runs alone.
        if (args.Contains("--audit"))
            return await RunAloneAsync(AuditBenchmark.RunAsync, args);
        if (args.Contains("--paging"))
            return await RunAloneAsync(PagingBenchmark.RunAsync, args);
        if (args.Contains("--journal-cost"))
            return await RunAloneAsync(JournalCostBenchmark.RunAsync, args);
        if (args.Contains("--answer-memory"))
            return await RunAloneAsync(AnswerMemory.RunAsync, args);
        if (args.Length > 0 && args[0] == "--runbook-memory")
            return await RunbookMemoryAsync(args.Skip(1).ToArray());

        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(BenchOptions.Usage);
            return 2;
        }
        if (args.Any(a => a is "-h" or "--help")) { Console.WriteLine(BenchOptions.Usage); return 0; }

        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var total = Stopwatch.StartNew();
        try
        {
            if (options.Matrix)
            {
                var (cells, calls) = await new MatrixBenchmarks(options, Console.Error).RunAsync();
                Console.WriteLine();
                Console.WriteLine(MatrixBenchmarks.ToMarkdown(options, cells, calls, total.Elapsed));
                return 0;
            }
            var results = await new Benchmarks(options, Console.Error).RunAllAsync();
            var report = Report.ToMarkdown(options, results, total.Elapsed);
            Console.WriteLine();
            Console.WriteLine(report);
            return results.AllPassed ? 0 : 1;
        }
        catch (BenchmarkBrokenException ex)
        {
            Console.Error.WriteLine("Benchmark run is not valid: " + ex.Message);
            return 2;
        }
    }

    /// <summary>A benchmark run on its own, its table in the invariant culture; a broken run exits 2.</summary>
    private static async Task<int> RunAloneAsync(Func<string[], TextWriter, Task<int>> benchmark, string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            return await benchmark(args, Console.Error);
        }
        catch (BenchmarkBrokenException ex)
        {
            Console.Error.WriteLine("Benchmark run is not valid: " + ex.Message);
            return 2;
        }
    }

    /// <summary>
    /// <c>--runbook-memory [ID_ROWS,EMAIL_ROWS] [--latency-ms N] [--rate-limit N] [--journal]</c> (default 1000000,200000,
    /// latency 0, no rate limit, no journal): issue 12's memory figures, on their own; with --journal each run writes one.
    /// </summary>
    private static async Task<int> RunbookMemoryAsync(string[] args)
    {
        var sizes = (args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) && a.Contains(',')) ?? "1000000,200000").Split(',').Select(int.Parse).ToArray();
        int? Option(string name)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : null;
        }
        var latencyMs = Option("--latency-ms") ?? 0;
        var rateLimit = Option("--rate-limit");
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            var results = await new RunbookMemory(Console.Error, latencyMs, rateLimit, args.Contains("--journal")).RunAsync(sizes[0], sizes[1]);
            Console.WriteLine(RunbookMemory.Runtime());
            Console.WriteLine();
            Console.WriteLine(RunbookMemory.ToMarkdown(results));
            return 0;
        }
        catch (BenchmarkBrokenException ex)
        {
            Console.Error.WriteLine("Benchmark run is not valid: " + ex.Message);
            return 2;
        }
    }
}

/// <summary>A run that did not do what it measures (errors, missing requests): its numbers would mean nothing.</summary>
internal sealed class BenchmarkBrokenException(string message) : Exception(message);
