namespace IntercomSubscriptions.Engine;

/// <summary>
/// What one run of a caller cost on the wire: HTTP attempts, retries, and rate-limit answers.
/// The caller makes one per run and wraps each unit of its work in <see cref="CountAsync{T}"/>;
/// <see cref="CountingHandler"/> adds to whichever counts the current async flow carries, so two
/// runs sharing a connection (two runspaces) each count only their own requests.
/// Counted under the HTTP pipeline rather than in the transport, so the transport's retry and
/// pacing code stays as it is.
/// </summary>
internal sealed class RequestCounts
{
    private static readonly AsyncLocal<Unit?> CurrentUnit = new();

    private long _requests;
    private long _retries;
    private long _rateLimited;

    /// <summary>HTTP attempts that got an answer or failed on the wire.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Attempts that repeated one that had failed (a 429, a 5xx, a timeout, a dropped connection).</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>429 answers: each one holds the run until Intercom's rate-limit window resets.</summary>
    public long RateLimitWaits => Interlocked.Read(ref _rateLimited);

    /// <summary>
    /// Runs <paramref name="work"/> (one record's requests, one after another) counting into these
    /// counts. The flow's counts are set inside this async method, so they end when it returns.
    /// </summary>
    public async Task<T> CountAsync<T>(Func<Task<T>> work)
    {
        CurrentUnit.Value = new Unit(this);
        return await work().ConfigureAwait(false);
    }

    /// <summary>The counts and retry state of the current flow, if a caller asked for counting.</summary>
    internal static Unit? Current => CurrentUnit.Value;

    /// <summary>One unit of work's requests, which go one after another: an attempt after a failed one is its retry.</summary>
    internal sealed class Unit
    {
        private readonly RequestCounts _counts;
        private int _lastFailed;

        public Unit(RequestCounts counts) => _counts = counts;

        public void Sending()
        {
            Interlocked.Increment(ref _counts._requests);
            if (Interlocked.Exchange(ref _lastFailed, 0) == 1)
                Interlocked.Increment(ref _counts._retries);
        }

        public void Answered(int status)
        {
            if (status == 429)
                Interlocked.Increment(ref _counts._rateLimited);
            if (status is 429 or 408 or >= 500)
                Interlocked.Exchange(ref _lastFailed, 1);
        }

        public void FailedOnTheWire() => Interlocked.Exchange(ref _lastFailed, 1);
    }
}
