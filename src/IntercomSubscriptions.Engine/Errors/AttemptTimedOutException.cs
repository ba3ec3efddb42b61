namespace IntercomSubscriptions.Engine;

/// <summary>One attempt got no (complete) answer within the per-attempt timeout, counted from when it was sent.</summary>
internal sealed class AttemptTimedOutException : TimeoutException
{
    public AttemptTimedOutException(TimeSpan timeout)
        : base($"no answer within {timeout.TotalSeconds:0.#} s")
    {
    }
}
