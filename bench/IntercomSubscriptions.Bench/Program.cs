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
}

/// <summary>A run that did not do what it measures (errors, missing requests): its numbers would mean nothing.</summary>
internal sealed class BenchmarkBrokenException(string message) : Exception(message);
