using System.Diagnostics;
using System.Globalization;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.Bench;

/// <summary>
/// (j) What "durable before the request" costs, run on its own (--journal-cost): intent lines written
/// to a file on this machine's disk (a) flushed to the operating system only, one at a time, (b) flushed
/// to the disk (fsync) one at a time, and (c) through the module's <see cref="JournalWriter"/>, which
/// groups the intents of concurrent requests into one fsync, at the concurrency a run keeps in flight.
/// Reported: lines per second and the time one line waits to be durable.
/// </summary>
internal static class JournalCostBenchmark
{
    public static string Usage => """
        Usage: dotnet run -c Release --project bench/IntercomSubscriptions.Bench -- --journal-cost [options]
          --lines N         intent lines per way              (default 5000)
          --writers A,B     concurrent writers for (c)        (default 8,32,128)
          --dir PATH        folder for the journal files      (default the temp folder)
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter log)
    {
        var lines = 5000;
        var writers = new[] { 8, 32, 128 };
        var directory = Path.GetTempPath();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--journal-cost": break;
                case "--lines": lines = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--writers": writers = args[++i].Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--dir": directory = args[++i]; break;
                default: Console.Error.WriteLine(Usage); return 2;
            }
        }
        var folder = Directory.CreateTempSubdirectory("journal-cost-").FullName;
        if (directory != Path.GetTempPath())
            folder = Directory.CreateDirectory(Path.Combine(directory, Path.GetFileName(folder))).FullName;
        try
        {
            var intents = Enumerable.Range(1, lines).Select(Line).ToArray();
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] {lines:N0} intent lines of {intents.Average(l => l.Length):0} bytes on average, in {folder} ...");
            var rows = new List<string>
            {
                Sequential("(a) one line at a time, flushed to the operating system (Flush())", intents, folder, toDisk: false, log),
                Sequential("(b) one line at a time, flushed to the disk (Flush(true), fsync)", intents, folder, toDisk: true, log),
            };
            foreach (var count in writers)
                rows.Add(await GroupedAsync($"(c) JournalWriter, {count} requests at once: one fsync per batch", intents, folder, count, log));
            Console.WriteLine();
            Console.WriteLine("| Way | Lines/s | Wait for a line to be durable: median / p99 | Flushes to the disk |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var row in rows) Console.WriteLine(row);
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static byte[] Line(int seq) => JournalLines.Serialize(new JournalIntent(DateTimeOffset.UtcNow, "a1b2c3d4e5f6", seq,
        "Add-IntercomContactSubscription", "https://api.intercom.io/", $"63a07ddf05a32042{seq:D8}", JournalWords.KeyEmail,
        $"customer{seq:D6}@example.com", "108", "Newsletters", "opt_in", null, "opt_in", "opt_in"));

    private static string Sequential(string way, byte[][] intents, string folder, bool toDisk, TextWriter log)
    {
        var path = Path.Combine(folder, toDisk ? "fsync.jsonl" : "os.jsonl");
        var waits = new List<double>(intents.Length);
        var clock = Stopwatch.StartNew();
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 1))
        {
            foreach (var line in intents)
            {
                var started = clock.Elapsed;
                file.Write(line, 0, line.Length);
                file.Flush(toDisk);
                waits.Add((clock.Elapsed - started).TotalMilliseconds);
            }
        }
        clock.Stop();
        return Row(way, intents.Length, clock.Elapsed, waits, toDisk ? intents.Length : 0, log);
    }

    private static async Task<string> GroupedAsync(string way, byte[][] intents, string folder, int concurrent, TextWriter log)
    {
        var path = Path.Combine(folder, $"grouped-{concurrent}.jsonl");
        using var writer = JournalWriter.Open(path, out _);
        var waits = new double[intents.Length];
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrent).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < intents.Length)
            {
                var started = clock.Elapsed;
                await writer.AppendDurableAsync(intents[i]);
                waits[i] = (clock.Elapsed - started).TotalMilliseconds;
            }
        })));
        clock.Stop();
        var flushes = writer.Flushes.DurableFlushes;
        writer.Close();
        return Row(way, intents.Length, clock.Elapsed, waits, flushes, log);
    }

    private static string Row(string way, int lines, TimeSpan elapsed, IReadOnlyCollection<double> waits, long fsyncs, TextWriter log)
    {
        var sorted = waits.Order().ToArray();
        var median = sorted[sorted.Length / 2];
        var p99 = sorted[(int)(sorted.Length * 0.99)];
        var perSecond = lines / elapsed.TotalSeconds;
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] {way}: {perSecond:N0} lines/s, wait median {median:0.000} ms, p99 {p99:0.000} ms, {fsyncs:N0} fsyncs.");
        return $"| {way} | {perSecond:N0} | {median:0.000} ms / {p99:0.000} ms | {fsyncs:N0} |";
    }
}
