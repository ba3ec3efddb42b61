using System.Globalization;

namespace FakeIntercom;

/// <summary>Runs the fake Intercom server by hand: <c>dotnet run --project tests/FakeIntercom -- --port 5089</c>.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = new FakeIntercomOptions { Port = 5089 };
        int? latencyMs = null, rateLimit = null, windowSeconds = null;

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

        var tokenLiteral = server.Token.Replace("'", "''", StringComparison.Ordinal);
        Console.WriteLine($"Fake Intercom listening on {server.BaseUri}");
        Console.WriteLine($"Connect-Intercom -BaseUri {server.BaseUri} -Token (ConvertTo-SecureString '{tokenLiteral}' -AsPlainText -Force)");
        Console.WriteLine("Press Ctrl+C to stop.");

        await stop.Task;
        return 0;
    }

    private static void PrintUsage() => Console.Error.WriteLine(
        "Usage: FakeIntercom [--port N (default 5089, 0 = ephemeral)] [--token T] [--latency-ms N] [--rate-limit N] [--window-seconds N]");
}
