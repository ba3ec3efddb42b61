using System.Globalization;
using System.Net.Http.Headers;
using IntercomSubscriptions.Engine;
using Microsoft.Extensions.Time.Testing;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>
/// Random interleavings of sending, arriving at the server and answering, against a fake server
/// that counts requests in 10-second windows: the pacer must never send a request into a window
/// the server has already spent, and with a share never have more than its share counted in one.
/// </summary>
public sealed class RateLimitPacerSimulationTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    public static IEnumerable<object[]> Seeds => Enumerable.Range(1, 40).Select(seed => new object[] { seed });

    private sealed class FakeServer(int limit, int? cap = null)
    {
        private readonly Dictionary<long, int> _counted = new();

        public int Limit { get; } = limit;
        public int Served { get; private set; }
        public int WindowsUsed => _counted.Count;

        /// <summary>Counts a request arriving at <paramref name="now"/> and returns the headers it would answer with.</summary>
        public RateLimitHeaders Arrive(DateTimeOffset now, int seed)
        {
            var reset = now.ToUnixTimeSeconds() / 10 * 10 + 10;
            var counted = _counted.TryGetValue(reset, out var n) ? n : 0;
            Assert.True(counted < Limit,
                $"seed {seed}: a request reached the server at {now:HH:mm:ss.fff} after the window ending {reset} had counted all {Limit}");
            _counted[reset] = ++counted;
            Assert.True(cap is null || counted <= cap,
                $"seed {seed}: a request reached the server at {now:HH:mm:ss.fff} after the window ending {reset} had counted the connection's share, {cap}");
            Served++;
            var headers = new HttpResponseMessage().Headers;
            headers.Add("X-RateLimit-Limit", Limit.ToString(CultureInfo.InvariantCulture));
            headers.Add("X-RateLimit-Remaining", (Limit - counted).ToString(CultureInfo.InvariantCulture));
            headers.Add("X-RateLimit-Reset", reset.ToString(CultureInfo.InvariantCulture));
            return RateLimitHeaders.Read(headers, now);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Never_sends_more_in_a_window_than_the_server_still_allows(int seed) => Simulate(seed, withShare: false);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void With_a_share_never_has_more_than_it_counted_in_a_window(int seed) => Simulate(seed, withShare: true);

    private static void Simulate(int seed, bool withShare)
    {
        var random = new Random(seed);
        var time = new FakeTimeProvider(Start);
        var concurrency = random.Next(1, 9);
        var limit = random.Next(concurrency, 4 * concurrency + 6);
        double? share = withShare ? 0.1 + 0.9 * random.NextDouble() : null;
        var pacer = new RateLimitPacer(time, TimeSpan.FromMinutes(5), share);
        // With a share, the server also checks that the connection never had more than it counted in a window.
        var server = new FakeServer(limit, share is { } s ? Math.Max(1, (int)Math.Floor(s * limit)) : null);
        var sent = new List<PacerTicket>();                                   // on the wire, not yet at the server
        var answered = new List<(PacerTicket Ticket, RateLimitHeaders? Headers)>(); // counted, answer on its way back

        for (var step = 0; step < 6000; step++)
        {
            switch (random.Next(5))
            {
                case 0:
                case 1:
                    if (sent.Count + answered.Count >= concurrency) break;
                    var wait = pacer.TryAcquire(time.GetUtcNow(), out _, out var ticket);
                    if (wait is null)
                        sent.Add(ticket);
                    else if (random.Next(3) == 0)
                        time.Advance(wait.Value); // the sender sleeps as told
                    break;
                case 2:
                    if (sent.Count == 0) break;
                    var arriving = TakeAt(sent, random);
                    if (random.Next(40) == 0)
                    {
                        pacer.Release(arriving, null, null); // lost before the server saw it
                        break;
                    }
                    var headers = server.Arrive(time.GetUtcNow(), seed);
                    // Sometimes the answer is lost on the way back: counted, but no headers reach the pacer.
                    answered.Add((arriving, random.Next(30) == 0 ? null : headers));
                    break;
                case 3:
                    if (answered.Count == 0) break;
                    var answer = TakeAt(answered, random);
                    pacer.Release(answer.Ticket, answer.Headers, answer.Headers is null ? null : 200);
                    break;
                default:
                    time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 1500)));
                    break;
            }
        }

        // Not vacuous: many windows were used, and most of their budget.
        Assert.True(server.WindowsUsed >= 20, $"seed {seed}: only {server.WindowsUsed} windows used");
        Assert.True(server.Served >= server.WindowsUsed, $"seed {seed}: only {server.Served} requests served");
    }

    private static T TakeAt<T>(List<T> items, Random random)
    {
        var index = random.Next(items.Count);
        var item = items[index];
        items.RemoveAt(index);
        return item;
    }
}
