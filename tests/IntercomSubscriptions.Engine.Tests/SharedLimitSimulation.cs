using System.Globalization;
using System.Net.Http.Headers;
using IntercomSubscriptions.Engine;
using Microsoft.Extensions.Time.Testing;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>
/// A discrete-event simulation of one app's rate limit shared by the connections under test (each a
/// <see cref="RateLimitPacer"/> with a fixed number of workers sending one request after another)
/// and, optionally, another client that sends a steady number of requests through every window, as the
/// fake Intercom's OtherClientRequestsPerWindow does. Time is a <see cref="FakeTimeProvider"/> moved from
/// event to event: no real time passes, and a seed makes a run repeatable.
/// </summary>
internal sealed class SharedLimitSimulation
{
    public static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private readonly PriorityQueue<Action, (DateTimeOffset At, long Order)> _events = new();
    private readonly Random _random;
    private readonly Dictionary<long, int> _counted = new();  // per window: ours and theirs, counted
    private long _order;
    private bool _started;

    /// <param name="limit">Requests per window.</param>
    /// <param name="windowSeconds">The window's length.</param>
    /// <param name="otherClientPerWindow">The steady other client's requests per window (0 for none).</param>
    public SharedLimitSimulation(int limit, int windowSeconds, int otherClientPerWindow, int seed)
    {
        Limit = limit;
        WindowSeconds = windowSeconds;
        OtherClientPerWindow = otherClientPerWindow;
        _random = new Random(seed);
    }

    public int Limit { get; }
    public int WindowSeconds { get; }
    public int OtherClientPerWindow { get; }
    public FakeTimeProvider Time { get; } = new(Start);

    /// <summary>Per window (Unix seconds / window length): the steady other client's requests sent and refused.</summary>
    public Dictionary<long, (int Sent, int Refused)> OtherClient { get; } = new();

    /// <summary>One connection under test: a pacer and its workers.</summary>
    public sealed class Connection(RateLimitPacer pacer, int workers, TimeSpan latency, DateTimeOffset startsAt, DateTimeOffset? stopsAt)
    {
        public RateLimitPacer Pacer { get; } = pacer;
        public int Workers { get; } = workers;
        public TimeSpan Latency { get; } = latency;
        public DateTimeOffset StartsAt { get; } = startsAt;
        public DateTimeOffset? StopsAt { get; } = stopsAt;

        /// <summary>Per window: its requests the server counted.</summary>
        public Dictionary<long, int> Accepted { get; } = new();

        /// <summary>Its requests that got a 429.</summary>
        public int Refused { get; set; }
    }

    /// <summary>A connection at <paramref name="latency"/> with as many workers as the adaptive concurrency limit gives it for the full limit.</summary>
    public Connection Add(TimeSpan latency, double? share = null, DateTimeOffset? startsAt = null, DateTimeOffset? stopsAt = null, int? workers = null)
    {
        var rate = (double)Limit / WindowSeconds;
        var concurrency = workers ?? (int)Math.Ceiling(rate * latency.TotalSeconds * AdaptiveConcurrencyLimit.Headroom) + AdaptiveConcurrencyLimit.Spare;
        var connection = new Connection(new RateLimitPacer(Time, TimeSpan.FromMinutes(5), share), concurrency, latency, startsAt ?? Start, stopsAt);
        _connections.Add(connection);
        return connection;
    }

    private readonly List<Connection> _connections = new();

    /// <summary>Runs every connection and the other client until <paramref name="until"/> (again: on from where the last run stopped).</summary>
    public void Run(DateTimeOffset until)
    {
        if (!_started)
        {
            _started = true;
            foreach (var connection in _connections)
                for (var worker = 0; worker < connection.Workers; worker++)
                    At(connection.StartsAt, () => Wake(connection));
            if (OtherClientPerWindow > 0)
                At(Start, () => OtherClientRequest(0));
        }
        while (_events.TryPeek(out _, out var when) && when.At <= until)
        {
            var action = _events.Dequeue();
            if (when.At > Time.GetUtcNow()) Time.SetUtcNow(when.At);
            action();
        }
    }

    /// <summary>Windows fully inside the run, after the first: those in which every connection that runs has had a window to learn.</summary>
    public IEnumerable<long> MeasuredWindows(DateTimeOffset until)
    {
        var first = Start.ToUnixTimeSeconds() / WindowSeconds + 1;
        var last = until.ToUnixTimeSeconds() / WindowSeconds - 1;
        for (var w = first; w <= last; w++) yield return w;
    }

    private void At(DateTimeOffset at, Action action) => _events.Enqueue(action, (at, _order++));

    private void Wake(Connection connection)
    {
        var now = Time.GetUtcNow();
        if (connection.StopsAt is { } stop && now >= stop) return;
        var wait = connection.Pacer.TryAcquire(now, out _, out var ticket);
        if (wait is { } w)
        {
            At(now + (w > TimeSpan.Zero ? w : TimeSpan.FromMilliseconds(1)), () => Wake(connection));
            return;
        }
        var up = Half(connection.Latency);
        var down = Half(connection.Latency);
        At(now + up, () =>
        {
            var (headers, status) = Arrive(connection);
            At(Time.GetUtcNow() + down, () =>
            {
                connection.Pacer.Release(ticket, headers, status);
                Wake(connection);
            });
        });
    }

    /// <summary>Half a round trip, give or take a fifth: answers overtake each other now and then.</summary>
    private TimeSpan Half(TimeSpan latency) => TimeSpan.FromTicks((long)(latency.Ticks / 2 * (0.8 + 0.4 * _random.NextDouble())));

    private (RateLimitHeaders Headers, int Status) Arrive(Connection connection)
    {
        var now = Time.GetUtcNow();
        var window = now.ToUnixTimeSeconds() / WindowSeconds;
        var reset = (window + 1) * WindowSeconds;
        var counted = _counted.GetValueOrDefault(window);
        if (counted >= Limit)
        {
            connection.Refused++;
            return (Headers(0, reset), 429);
        }
        _counted[window] = ++counted;
        connection.Accepted[window] = connection.Accepted.GetValueOrDefault(window) + 1;
        return (Headers(Limit - counted, reset), 200);
    }

    private void OtherClientRequest(long index)
    {
        var now = Time.GetUtcNow();
        var window = now.ToUnixTimeSeconds() / WindowSeconds;
        var counted = _counted.GetValueOrDefault(window);
        var (sent, refused) = OtherClient.GetValueOrDefault(window);
        if (counted < Limit) _counted[window] = counted + 1;
        else refused++;
        OtherClient[window] = (sent + 1, refused);
        // Evenly: the k-th of each window at k / perWindow of it.
        var next = index + 1;
        At(Start + TimeSpan.FromSeconds((double)next * WindowSeconds / OtherClientPerWindow), () => OtherClientRequest(next));
    }

    private RateLimitHeaders Headers(int remaining, long reset)
    {
        var headers = new HttpResponseMessage().Headers;
        headers.Add("X-RateLimit-Limit", Limit.ToString(CultureInfo.InvariantCulture));
        headers.Add("X-RateLimit-Remaining", remaining.ToString(CultureInfo.InvariantCulture));
        headers.Add("X-RateLimit-Reset", reset.ToString(CultureInfo.InvariantCulture));
        return RateLimitHeaders.Read(headers, Time.GetUtcNow());
    }
}
