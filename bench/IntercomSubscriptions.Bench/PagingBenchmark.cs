using System.Diagnostics;
using System.Globalization;
using FakeIntercom;
using IntercomSubscriptions.Engine;
using IntercomSubscriptions.Tests;

namespace IntercomSubscriptions.Bench;

/// <summary>
/// (i) paging that never ends, run on its own (--paging): what the audit's seen-id set costs for a
/// million contacts next to a HashSet of the id strings, and how fast Get-IntercomContactSubscription
/// -All stops a fake Intercom whose paging goes round (cursors A → B → A, a cursor ignored, the same
/// contacts under new cursors, a total_count the listing outgrows), at a real latency.
/// </summary>
internal static class PagingBenchmark
{
    public static string Usage => """
        Usage: dotnet run -c Release --project bench/IntercomSubscriptions.Bench -- --paging [options]
          --contacts N      contacts in the fake workspace   (default 3000)
          --latency-ms N    fake server latency per request  (default 150)
          --ids N           ids for the seen-id memory check (default 1000000)
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter log)
    {
        var contacts = 3000;
        var latency = 150;
        var ids = 1_000_000;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--paging": break;
                case "--contacts": contacts = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--latency-ms": latency = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--ids": ids = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine(Usage); return 2;
            }
        }

        var (hashed, table, strings) = SeenIdMemory(ids);
        Console.WriteLine();
        Console.WriteLine("| Seen ids | HashedStringSet: live after a full GC (table) | HashSet<string> of the same ids: live after a full GC |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| {ids:N0} | {Mb(hashed)} ({Mb(table)}) | {Mb(strings)} |");

        var faults = new (string Name, Action<FaultSettings> Set)[]
        {
            ("cursors go round: page 3 names page 2's cursor (A → B → A)", f => f.LoopContactPages(3, 2)),
            ("a page names its own cursor (A → A)", f => f.LoopContactPages(2, 2)),
            ("the cursor is ignored: page 1 for ever", f => f.ContactPagesIgnoreCursor = true),
            ("page 1 for ever under new cursors", f => { f.ContactPagesIgnoreCursor = true; f.ContactPagesFreshCursors = true; }),
            ("total_count 100 while every contact is listed", f => f.ContactListTotalCount = 100),
        };
        var rows = new List<string>();
        foreach (var (name, set) in faults)
        {
            await using var server = await FakeIntercomServer.StartAsync(new FakeIntercomOptions { RecordRequests = false });
            var seeded = Enumerable.Range(0, contacts).Select(i => $"p{i:D6}").ToArray();
            server.State.AddContacts(seeded.Select(id => new ContactRecord(id, null, null, "user")));
            foreach (var id in seeded) server.State.SetChoice(id, "108", "opt_in");
            using var session = new PowerShellSession();
            session.Connect(server);
            set(server.Faults);
            server.Faults.LatencyMs = latency;
            server.ResetLog();
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] {name} ...");

            var clock = Stopwatch.StartNew();
            var result = session.Run("$seen = @{}; $n = 0; Get-IntercomContactSubscription -All | ForEach-Object { $n++; $seen[$_.ContactId] = 1 }; $n; $seen.Count");
            clock.Stop();
            var streamed = Convert.ToInt64(result.Output[0].BaseObject, CultureInfo.InvariantCulture);
            var distinct = Convert.ToInt64(result.Output[1].BaseObject, CultureInfo.InvariantCulture);
            if (result.Errors.Count != 1 || !result.Errors[0].FullyQualifiedErrorId.StartsWith("IntercomInvalidResponse", StringComparison.Ordinal))
                throw new BenchmarkBrokenException($"{name}: expected one IntercomInvalidResponse, got {result.Errors.Count}: {string.Join("; ", result.Errors)}");
            if (streamed != distinct)
                throw new BenchmarkBrokenException($"{name}: {streamed:N0} objects for {distinct:N0} contacts.");
            rows.Add($"| {name} | {clock.Elapsed.TotalSeconds:0.00} s | {server.CallCount("GET /contacts")} | {streamed:N0} | {distinct:N0} | {result.Errors[0].ErrorDetails.Message} |");
        }

        Console.WriteLine();
        Console.WriteLine($"Get-IntercomContactSubscription -All, {contacts:N0} contacts (one choice each), {latency} ms latency:");
        Console.WriteLine();
        Console.WriteLine("| Server | Stopped after | GET /contacts | Objects | Contacts | The error |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var row in rows) Console.WriteLine(row);
        return 0;
    }

    /// <summary>Live bytes after a full GC: the hashed set of <paramref name="count"/> 24-character ids, its table, and a HashSet of the strings.</summary>
    private static (long Hashed, long Table, long Strings) SeenIdMemory(int count)
    {
        static string Id(int i) => i.ToString("x24", CultureInfo.InvariantCulture);

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var hashed = new HashedStringSet();
        for (var i = 0; i < count; i++) hashed.Add(Id(i));
        var hashedBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        var table = hashed.Bytes;
        GC.KeepAlive(hashed);
        hashed = null;

        before = GC.GetTotalMemory(forceFullCollection: true);
        var strings = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++) strings.Add(Id(i));
        var stringBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(strings);
        return (hashedBytes, table, stringBytes);
    }

    private static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB";
}
