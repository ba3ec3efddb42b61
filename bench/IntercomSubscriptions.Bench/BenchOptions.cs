using System.Globalization;

namespace IntercomSubscriptions.Bench;

/// <summary>Sizes of each measurement; the defaults make the whole run take a few minutes on 2 cores.</summary>
internal sealed class BenchOptions
{
    /// <summary>Rows for (a) the module with default settings and (c) raw HttpClient.</summary>
    public int Rows { get; set; } = 4000;

    /// <summary>Rows for (b) the module at ThrottleLimit 1 (one request at a time is slow).</summary>
    public int SequentialRows { get; set; } = 500;

    /// <summary>Fake server latency for (a)–(d), per request.</summary>
    public int LatencyMs { get; set; } = 20;

    /// <summary>(d) requests allowed per window: Intercom's 10,000 a minute for a private app, in 10-second windows.</summary>
    public int RateLimit { get; set; } = 1666;

    /// <summary>(d) window length; Intercom's is 10 s.</summary>
    public int WindowSeconds { get; set; } = 10;

    /// <summary>(d) full windows the run must span (it gets half a window's worth more on top).</summary>
    public int Windows { get; set; } = 3;

    /// <summary>(e) the two input sizes whose peak memory is compared.</summary>
    public int MemorySmallRows { get; set; } = 10_000;

    public int MemoryLargeRows { get; set; } = 100_000;

    /// <summary>(e) fake server latency for the memory runs (0 keeps them quick).</summary>
    public int MemoryLatencyMs { get; set; }

    /// <summary>(f) Import-Module runs, each in a fresh runspace.</summary>
    public int ImportRuns { get; set; } = 5;

    /// <summary>Run issue 10's matrix instead of (a)-(g).</summary>
    public bool Matrix { get; set; }

    /// <summary>Matrix: fake latencies.</summary>
    public int[] MatrixLatencies { get; set; } = { 20, 150, 300 };

    /// <summary>Matrix: which ways of sending to measure (default, journal, sweep, raw, sequential; journal is asked for by name).</summary>
    public string[] MatrixWays { get; set; } = { "default", "sweep", "raw", "sequential" };

    /// <summary>Matrix: server conditions at each latency (none, faults, small, shared, copies; see <see cref="MatrixCondition"/>).</summary>
    public string[] MatrixConditions { get; set; } = { "none", "faults" };

    /// <summary>Matrix: the fixed -ThrottleLimit values the sweep tries at each latency.</summary>
    public int[] SweepThrottleLimits { get; set; } = { 16, 32, 64 };

    /// <summary>Matrix: full windows each sweep run spans (the winner's share is over these).</summary>
    public int SweepWindows { get; set; } = 1;

    /// <summary>Matrix: rows of the sequential loop (its rate is steady; it never reaches the limit).</summary>
    public int SequentialMatrixRows { get; set; } = 40;

    public static string Usage => """
        Usage: dotnet run -c Release --project bench/IntercomSubscriptions.Bench -- [options]
          --quick                 small sizes and a 2-second rate-limit window (about a minute)
          --rows N                rows for (a) the module, default and (c) raw HttpClient (default 4000)
          --sequential-rows N     rows for (b) ThrottleLimit 1                          (default 500)
          --latency-ms N          fake server latency for (a)-(d)                       (default 20)
          --rate-limit R          (d) requests per window; Intercom: 1666 per 10 s       (default 1666)
          --window-seconds W      (d) window length; Intercom's is 10                   (default 10)
          --windows K             (d) full windows to span, at least 3                  (default 3)
          --memory-rows S,L       (e) small and large input sizes                       (default 10000,100000)
          --memory-latency-ms N   fake server latency for (e)                           (default 0)
          --import-runs N         (f) Import-Module runs in fresh runspaces             (default 5)
          --matrix                issue 10's matrix instead: latency x faults at the limit (about 15 minutes)
          --latencies A,B,C       matrix latencies in ms                                (default 20,150,300)
          --ways W,...            matrix ways: default,sweep,raw,sequential; journal   (default the first four)
          --conditions C,...      matrix conditions: none,faults,small,shared,copies    (default none,faults)
          --sweep L,...           matrix sweep of fixed -ThrottleLimit values            (default 16,32,64)
          --sweep-windows K       full windows per sweep run                            (default 1)
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"Missing value for {args[i]}.");
            int Int(int min) => int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min
                ? v
                : throw new ArgumentException($"{args[i - 1]} needs an integer of at least {min}, got '{args[i]}'.");

            switch (args[i].ToLowerInvariant())
            {
                case "--quick":
                    options.Rows = 1000;
                    options.SequentialRows = 150;
                    options.RateLimit = 200;
                    options.WindowSeconds = 2;
                    options.MemorySmallRows = 2000;
                    options.MemoryLargeRows = 20_000;
                    options.ImportRuns = 3;
                    break;
                case "--rows": options.Rows = Int(1); break;
                case "--sequential-rows": options.SequentialRows = Int(1); break;
                case "--latency-ms": options.LatencyMs = Int(0); break;
                case "--rate-limit": options.RateLimit = Int(1); break;
                case "--window-seconds": options.WindowSeconds = Int(1); break;
                case "--windows": options.Windows = Int(3); break;
                case "--memory-rows":
                    var parts = Next().Split(',');
                    if (parts.Length != 2
                        || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var small)
                        || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var large)
                        || small < 1 || large < small)
                        throw new ArgumentException("--memory-rows needs SMALL,LARGE with 1 <= SMALL <= LARGE.");
                    options.MemorySmallRows = small;
                    options.MemoryLargeRows = large;
                    break;
                case "--memory-latency-ms": options.MemoryLatencyMs = Int(0); break;
                case "--import-runs": options.ImportRuns = Int(1); break;
                case "--matrix": options.Matrix = true; break;
                case "--latencies": options.MatrixLatencies = Ints(Next()); break;
                case "--ways": options.MatrixWays = Next().Split(','); break;
                case "--conditions": options.MatrixConditions = Next().Split(','); break;
                case "--sweep": options.SweepThrottleLimits = Ints(Next()); break;
                case "--sweep-windows": options.SweepWindows = Int(1); break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }
        return options;
    }

    private static int[] Ints(string list) =>
        list.Split(',').Select(v => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n : throw new ArgumentException($"'{v}' is not a whole number.")).ToArray();

    /// <summary>(d) input: the full windows plus half a window, so the last window is visibly the partial one.</summary>
    public int RateLimitedRows => RateLimit * Windows + Math.Max(1, RateLimit / 2);

    /// <summary>Contacts the fake for (a)-(d) needs so that every row names a known one (ids c1..cN).</summary>
    public int ThroughputContactsNeeded => new[] { Rows, SequentialRows, RateLimitedRows, WarmUpRows }.Max();

    public const int WarmUpRows = 300;
}
