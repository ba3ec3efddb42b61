using System.Diagnostics;
using System.Globalization;
using FakeIntercom;
using IntercomSubscriptions.Tests;

namespace IntercomSubscriptions.Bench;

/// <summary>
/// (h) the workspace audit, run on its own (--audit): Get-IntercomContactSubscription -All over a
/// fake workspace of N contacts, a share of them with explicit choices and a share whose contact
/// objects carry incomplete lists (has_more) or none, so that those need their own call. Reports the
/// calls per endpoint and the time, at each latency asked for, under Intercom's rate limit
/// (1,666 requests per 10-second window).
/// </summary>
internal static class AuditBenchmark
{
    public static string Usage => """
        Usage: dotnet run -c Release --project bench/IntercomSubscriptions.Bench -- --audit [options]
          --contacts N            contacts in the fake workspace          (default 100000)
          --latency-ms A,B,...    fake server latency per request, each a run (default 20,150)
          --incomplete-per-mille  contacts per 1,000 whose lists are not whole (default 10)
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter log)
    {
        var contacts = 100_000;
        var latencies = new[] { 20, 150 };
        var incompletePerMille = 10;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--audit": break;
                case "--contacts": contacts = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--latency-ms": latencies = args[++i].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--incomplete-per-mille": incompletePerMille = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine(Usage); return 2;
            }
        }

        var rows = new List<string>();
        foreach (var latency in latencies)
        {
            await using var server = await FakeIntercomServer.StartAsync(new FakeIntercomOptions { RecordRequests = false, SeedSampleData = false });
            server.State.AddSampleData();
            var expectedChoices = Seed(server, contacts, incompletePerMille, out var incomplete);
            server.Faults.LatencyMs = latency;
            // Intercom's private-app budget, 10,000 a minute in 10-second windows: the audit is paced like everything else.
            server.Faults.RateLimit = 1666;
            using var session = new PowerShellSession();
            session.Connect(server);
            server.ResetLog();
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] audit of {contacts:N0} contacts at {latency} ms latency ...");

            var clock = Stopwatch.StartNew();
            var result = session.Run("$n = 0; Get-IntercomContactSubscription -All | ForEach-Object { $n++ }; $n");
            clock.Stop();
            if (result.Errors.Count > 0)
                throw new BenchmarkBrokenException($"audit: {result.Errors.Count} errors, the first: {result.Errors[0]}");
            var streamed = Convert.ToInt64(result.Output.Single().BaseObject, CultureInfo.InvariantCulture);
            if (streamed != expectedChoices)
                throw new BenchmarkBrokenException($"audit: {streamed:N0} choices streamed, the fake holds {expectedChoices:N0}.");
            var pages = server.CallCount("GET /contacts");
            var own = server.CallCount("GET /contacts/{id}/subscriptions");
            if (own != incomplete)
                throw new BenchmarkBrokenException($"audit: {own:N0} subscriptions calls for {incomplete:N0} contacts with incomplete lists.");
            var total = server.CallCounts.Values.Sum();
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] {total:N0} calls ({pages:N0} pages, {own:N0} subscriptions calls) in {clock.Elapsed.TotalSeconds:0.0} s.");
            rows.Add($"| {contacts:N0} | {latency} ms | {streamed:N0} | {pages:N0} | {own:N0} | {total:N0} | {clock.Elapsed.TotalSeconds:0.0} s | {contacts / clock.Elapsed.TotalSeconds:N0} |");
        }

        Console.WriteLine();
        Console.WriteLine("| Contacts | Latency | Choices streamed | GET /contacts | GET /contacts/{id}/subscriptions | All calls | Time | Contacts/s |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var row in rows) Console.WriteLine(row);
        return 0;
    }

    /// <summary>Adds the contacts: every third opted in to Newsletters, every fifth opted out of Product updates; returns the choices the fake holds.</summary>
    private static long Seed(FakeIntercomServer server, int contacts, int incompletePerMille, out int incomplete)
    {
        var ids = Enumerable.Range(0, contacts).Select(i => "a" + i.ToString("D6", CultureInfo.InvariantCulture)).ToArray();
        server.State.AddContacts(ids.Select(id => new ContactRecord(id, id + "@example.com", null, "user")));
        incomplete = 0;
        for (var i = 0; i < ids.Length; i++)
        {
            if (i % 3 == 0) server.State.SetChoice(ids[i], "108", "opt_in");
            if (i % 5 == 0) server.State.SetChoice(ids[i], "109", "opt_out");
            if (i % 1000 < incompletePerMille)
            {
                server.State.SetSubscriptionListShape(ids[i], i % 2 == 0 ? SubscriptionListShape.HasMore : SubscriptionListShape.Missing);
                incomplete++;
            }
        }
        var all = new[] { SampleData.Ada, SampleData.Grace, SampleData.SharedEmailUser, SampleData.SharedEmailLead }.Concat(ids);
        return all.Sum(id => (long)server.State.GetChoices(id).Count);
    }
}
