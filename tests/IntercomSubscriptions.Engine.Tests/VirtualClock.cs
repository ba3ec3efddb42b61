using System.Diagnostics;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>
/// A clock that moves only when a test moves it, so waits of minutes (Retry-After, a rate-limit
/// window, a retry's back-off, an attempt's timeout) take no real time. Every timer the engine
/// creates (Task.Delay, timeouts) is one of its timers.
/// </summary>
internal sealed class VirtualClock : TimeProvider
{
    public static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private readonly object _gate = new();
    private readonly List<VirtualTimer> _timers = new();
    private DateTimeOffset _now = Start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _now;
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>How long from now the earliest timer is due, or null when none is set.</summary>
    public TimeSpan? NextDue()
    {
        lock (_gate)
            return _timers.Count == 0 ? null : _timers.Min(t => t.DueAt) - _now;
    }

    /// <summary>Moves the clock forward, firing every timer that falls due on the way, in order.</summary>
    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_gate) target = _now + by;
        while (true)
        {
            VirtualTimer? due;
            lock (_gate)
            {
                due = _timers.Where(t => t.DueAt <= target).OrderBy(t => t.DueAt).FirstOrDefault();
                if (due is null)
                {
                    _now = target;
                    return;
                }
                if (due.DueAt > _now) _now = due.DueAt;
                due.Reschedule();
            }
            due.Fire();
        }
    }

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

    private sealed class VirtualTimer : ITimer
    {
        private readonly VirtualClock _clock;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private TimeSpan _period;

        public VirtualTimer(VirtualClock clock, TimerCallback callback, object? state)
        {
            _clock = clock;
            _callback = callback;
            _state = state;
        }

        public DateTimeOffset DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_clock._gate)
            {
                _clock._timers.Remove(this);
                _period = period;
                if (dueTime == Timeout.InfiniteTimeSpan) return true;
                DueAt = _clock._now + dueTime;
                _clock._timers.Add(this);
            }
            return true;
        }

        /// <summary>Called under the clock's lock when the timer fires: set again if periodic.</summary>
        public void Reschedule()
        {
            _clock._timers.Remove(this);
            if (_period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan)
            {
                DueAt += _period;
                _clock._timers.Add(this);
            }
        }

        public void Fire() => _callback(_state);

        public void Dispose()
        {
            lock (_clock._gate) _clock._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
