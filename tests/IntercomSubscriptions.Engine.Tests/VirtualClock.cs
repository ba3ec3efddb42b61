using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>
/// A clock that moves only when a test moves it, so waits of minutes (Retry-After, a rate-limit
/// window, a retry's back-off, an attempt's timeout) take no real time: a <see cref="FakeTimeProvider"/>,
/// which keeps the time and fires the timers the engine creates (Task delays, timeouts), in order.
/// </summary>
/// <remarks>
/// What FakeTimeProvider cannot tell is when its next timer is due, and that is what
/// <see cref="DriveAsync{T}"/> needs to run an engine call through its waits: move the clock straight
/// to the next timer whenever the work has settled, never past a horizon. So this remembers, for each
/// timer it hands out, when it is due; FakeTimeProvider does the rest.
/// </remarks>
internal sealed class VirtualClock : TimeProvider
{
    public static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly object _gate = new();
    private readonly HashSet<DueTimer> _timers = new();

    public override DateTimeOffset GetUtcNow() => _time.GetUtcNow();

    public override long TimestampFrequency => _time.TimestampFrequency;

    public override long GetTimestamp() => _time.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new DueTimer(this);
        timer.Inner = _time.CreateTimer(s =>
        {
            timer.Fired();
            callback(s);
        }, state, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>How long from now the earliest timer is due, or null when none is set.</summary>
    public TimeSpan? NextDue()
    {
        lock (_gate)
            return _timers.Count == 0 ? null : _timers.Min(t => t.DueAt) - GetUtcNow();
    }

    /// <summary>Moves the clock forward, firing every timer that falls due on the way, in order.</summary>
    public void Advance(TimeSpan by) => _time.Advance(by);

    /// <summary>
    /// Lets <paramref name="task"/> run, moving the clock to the next timer whenever the work has
    /// settled without finishing. Timers due further ahead than <paramref name="horizon"/> are never
    /// fired: tests set the attempt timeout beyond it so that a request on the wire cannot time out
    /// while real threads are slow. <paramref name="settle"/> is the real time the work gets to go
    /// on before the clock moves. Bounded in steps and in real time.
    /// </summary>
    public async Task<T> DriveAsync<T>(Task<T> task, TimeSpan? horizon = null, int settle = 10)
    {
        var limit = horizon ?? TimeSpan.MaxValue;
        var watch = Stopwatch.StartNew();
        for (var step = 0; step < 10_000 && !task.IsCompleted; step++)
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(20))
                throw new TimeoutException("The engine did not finish within 20 s of real time.");
            await Task.WhenAny(task, Task.Delay(settle)).ConfigureAwait(false);
            if (task.IsCompleted) break;
            var next = NextDue();
            if (next is { } wait && wait <= limit)
                Advance(wait < TimeSpan.Zero ? TimeSpan.Zero : wait);
        }
        return await task.ConfigureAwait(false);
    }

    /// <summary>One of FakeTimeProvider's timers, with when it is next due.</summary>
    private sealed class DueTimer : ITimer
    {
        private readonly VirtualClock _clock;
        private TimeSpan _period;

        public DueTimer(VirtualClock clock) => _clock = clock;

        public ITimer Inner { get; set; } = null!;

        public DateTimeOffset DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_clock._gate)
            {
                _period = period;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    _clock._timers.Remove(this);
                }
                else
                {
                    DueAt = _clock.GetUtcNow() + dueTime;
                    _clock._timers.Add(this);
                }
            }
            // After the bookkeeping: a timer due now fires inside this call.
            return Inner.Change(dueTime, period);
        }

        public void Fired()
        {
            lock (_clock._gate)
            {
                if (_period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan)
                    DueAt += _period;
                else
                    _clock._timers.Remove(this);
            }
        }

        public void Dispose()
        {
            lock (_clock._gate) _clock._timers.Remove(this);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
