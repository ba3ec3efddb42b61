using System.Globalization;

namespace FakeIntercom;

/// <summary>
/// Runs the fake Intercom server by hand (<c>dotnet run --project tests/FakeIntercom -- --port 5089</c>),
/// or as a benchmark's peer in a process of its own, so that its contacts and its garbage do not
/// count in the benchmark's memory (<c>--contacts</c>, <c>--no-request-log</c>, <c>--stop-on-stdin-close</c>).
/// The first line on stdout names the address it listens on.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = new FakeIntercomOptions { Port = 5089 };
        int? latencyMs = null, rateLimit = null, windowSeconds = null;
        var contacts = 0;
        var contactEmails = false;
        string? optOutTypeId = null;
        var stopOnStdinClose = false;

        for (var i = 0; i < args.Length; i++)
        {
            string Next()
            {
                if (i + 1 >= args.Length) throw new ArgumentException($"Missing value for {args[i]}.");
                return args[++i];
            }

            static int ParseInt(string s, string name) =>
                int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0
                    ? v
                    : throw new ArgumentException($"{name} must be a non-negative integer, got '{s}'.");

            try
            {
                switch (args[i].ToLowerInvariant())
                {
                    case "--port": options.Port = ParseInt(Next(), "--port"); break;
                    case "--token": options.Token = Next(); break;
                    case "--latency-ms": latencyMs = ParseInt(Next(), "--latency-ms"); break;
                    case "--rate-limit": rateLimit = ParseInt(Next(), "--rate-limit"); break;
                    case "--window-seconds": windowSeconds = ParseInt(Next(), "--window-seconds"); break;
                    case "--contacts": contacts = ParseInt(Next(), "--contacts"); break;
                    case "--contact-emails": contactEmails = true; break;
                    case "--opt-out": optOutTypeId = Next(); break;
                    case "--no-request-log": options.RecordRequests = false; break;
                    case "--stop-on-stdin-close": stopOnStdinClose = true; break;
                    case "-h" or "--help" or "-?":
                        PrintUsage();
                        return 0;
                    default:
                        throw new ArgumentException($"Unknown option '{args[i]}'.");
                }
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine(ex.Message);
                PrintUsage();
                return 2;
            }
        }

        if (windowSeconds is 0)
        {
            Console.Error.WriteLine("--window-seconds must be positive.");
            return 2;
        }

        await using var server = await FakeIntercomServer.StartAsync(options);
        try
        {
            AddNumberedContacts(server.State, contacts, contactEmails, optOutTypeId);
        }
        catch (KeyNotFoundException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
        if (latencyMs is int l) server.Faults.LatencyMs = l;
        if (windowSeconds is int w) server.Faults.RateLimitWindowSeconds = w;
        if (rateLimit is int r) server.Faults.RateLimit = r;

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.TrySetResult();
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
        if (stopOnStdinClose)
        {
            // A parent that dies without a word closes the pipe, so the fake never outlives it.
            _ = Task.Run(async () =>
            {
                while (await Console.In.ReadLineAsync().ConfigureAwait(false) is not null) { }
                stop.TrySetResult();
            });
        }

        var tokenLiteral = server.Token.Replace("'", "''", StringComparison.Ordinal);
        Console.WriteLine($"Fake Intercom listening on {server.BaseUri}");
        Console.WriteLine($"Connect-Intercom -BaseUri {server.BaseUri} -Token (ConvertTo-SecureString '{tokenLiteral}' -AsPlainText -Force)");
        Console.WriteLine($"Control surface (state, request log, fault knobs): {server.BaseUri}_fake");
        Console.WriteLine("Press Ctrl+C to stop.");

        await stop.Task;
        // What a benchmark checks its run against: every request that arrived, per endpoint.
        foreach (var (endpoint, count) in server.CallCounts.OrderBy(c => c.Key, StringComparer.Ordinal))
            Console.WriteLine($"Calls {count} {endpoint}");
        return 0;
    }

    /// <summary>Contacts c1..cN (emails c1@example.com..cN@example.com if asked), each opted out of a type if one is named.</summary>
    private static void AddNumberedContacts(FakeIntercomState state, int count, bool withEmails, string? optOutTypeId)
    {
        state.AddContacts(Enumerable.Range(1, count).Select(i => new ContactRecord("c" + i, withEmails ? $"c{i}@example.com" : null, null, "user")));
        if (optOutTypeId is null) return;
        for (var i = 1; i <= count; i++) state.SetChoice("c" + i, optOutTypeId, "opt_out");
    }

    private static void PrintUsage() => Console.Error.WriteLine(
        "Usage: FakeIntercom [--port N (default 5089, 0 = ephemeral)] [--token T] [--latency-ms N] [--rate-limit N] [--window-seconds N]\n"
        + "                    [--contacts N (adds c1..cN)] [--contact-emails (cI@example.com)] [--opt-out TYPE_ID (each of them opted out)]\n"
        + "                    [--no-request-log (counts only)] [--stop-on-stdin-close (stops when stdin ends)]\n"
        + "On stop it prints 'Calls N ENDPOINT' for each endpoint called.");
}
