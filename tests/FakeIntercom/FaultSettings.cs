namespace FakeIntercom;

/// <summary>
/// Fault injection knobs. All members are thread-safe; changes take effect on the next request
/// (or the next processing stage of an in-flight request).
/// </summary>
public sealed class FaultSettings
{
    private readonly object _gate = new();
    private readonly List<ScriptedEntry> _scripted = new();
    private int _latencyMs;
    private int? _rateLimit;
    private int _rateLimitWindowSeconds = 10;
    private double _serverErrorRate;
    private double _dropConnectionRate;
    private double _slowResponseRate;
    private int _slowResponseMs = 30_000;
    private int? _randomSeed;
    private Random _random = new();

    public int LatencyMs
    {
        get { lock (_gate) return _latencyMs; }
        set { lock (_gate) _latencyMs = Math.Max(0, value); }
    }

    /// <summary>Requests allowed per window; null = no limit and no X-RateLimit-* headers.</summary>
    public int? RateLimit
    {
        get { lock (_gate) return _rateLimit; }
        set
        {
            if (value is < 0) throw new ArgumentOutOfRangeException(nameof(value));
            lock (_gate) _rateLimit = value;
        }
    }

    public int RateLimitWindowSeconds
    {
        get { lock (_gate) return _rateLimitWindowSeconds; }
        set
        {
            if (value <= 0) throw new ArgumentOutOfRangeException(nameof(value));
            lock (_gate) _rateLimitWindowSeconds = value;
        }
    }

    public double ServerErrorRate
    {
        get { lock (_gate) return _serverErrorRate; }
        set { lock (_gate) _serverErrorRate = Clamp01(value); }
    }

    public double DropConnectionRate
    {
        get { lock (_gate) return _dropConnectionRate; }
        set { lock (_gate) _dropConnectionRate = Clamp01(value); }
    }

    public double SlowResponseRate
    {
        get { lock (_gate) return _slowResponseRate; }
        set { lock (_gate) _slowResponseRate = Clamp01(value); }
    }

    public int SlowResponseMs
    {
        get { lock (_gate) return _slowResponseMs; }
        set { lock (_gate) _slowResponseMs = Math.Max(0, value); }
    }

    /// <summary>When set, the fault dice are reseeded and become deterministic.</summary>
    public int? RandomSeed
    {
        get { lock (_gate) return _randomSeed; }
        set
        {
            lock (_gate)
            {
                _randomSeed = value;
                _random = value is int seed ? new Random(seed) : new Random();
            }
        }
    }

    /// <summary>Queues a canned answer (FIFO among matching entries).</summary>
    public void EnqueueScripted(ScriptedResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Times <= 0) throw new ArgumentOutOfRangeException(nameof(response), "Times must be positive.");
        lock (_gate) _scripted.Add(new ScriptedEntry(response, response.Times));
    }

    /// <summary>Number of scripted answers still queued (sum of remaining Times).</summary>
    public int PendingScriptedCount
    {
        get { lock (_gate) return _scripted.Sum(e => e.Remaining); }
    }

    /// <summary>Back to no faults; clears the scripted queue.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _latencyMs = 0;
            _rateLimit = null;
            _rateLimitWindowSeconds = 10;
            _serverErrorRate = 0;
            _dropConnectionRate = 0;
            _slowResponseRate = 0;
            _slowResponseMs = 30_000;
            _randomSeed = null;
            _random = new Random();
            _scripted.Clear();
        }
    }

    internal (int? Limit, int WindowSeconds) GetRateLimit()
    {
        lock (_gate) return (_rateLimit, _rateLimitWindowSeconds);
    }

    internal ScriptedResponse? TryDequeueScripted(string method, string rawPath)
    {
        lock (_gate)
        {
            for (var i = 0; i < _scripted.Count; i++)
            {
                var entry = _scripted[i];
                var r = entry.Response;
                if (r.Method is not null && !string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase)) continue;
                if (r.PathContains is not null && !rawPath.Contains(r.PathContains, StringComparison.Ordinal)) continue;
                entry.Remaining--;
                if (entry.Remaining <= 0) _scripted.RemoveAt(i);
                return r;
            }
            return null;
        }
    }

    /// <summary>Rolls all dice at once (always consuming the same amount of randomness).</summary>
    internal FaultRoll Roll()
    {
        lock (_gate)
        {
            var drop = _random.NextDouble() < _dropConnectionRate;
            var slow = _random.NextDouble() < _slowResponseRate;
            var error = _random.NextDouble() < _serverErrorRate;
            var which = _random.Next(3);
            return new FaultRoll(drop, slow ? _slowResponseMs : 0, error ? which switch { 0 => 500, 1 => 502, _ => 503 } : 0);
        }
    }

    private static double Clamp01(double v) => double.IsNaN(v) ? 0 : Math.Clamp(v, 0, 1);

    private sealed class ScriptedEntry(ScriptedResponse response, int remaining)
    {
        public ScriptedResponse Response { get; } = response;
        public int Remaining { get; set; } = remaining;
    }
}

internal readonly record struct FaultRoll(bool Drop, int SlowMs, int ServerError);
