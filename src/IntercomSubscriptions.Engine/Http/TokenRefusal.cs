namespace IntercomSubscriptions.Engine;

/// <summary>
/// Whether Intercom has refused this connection's token (a 401, or a 403 about the app or its plan):
/// from then on nothing more is sent, since every request would be refused too. Set by the transport
/// when it classifies such an answer, checked before every attempt (retries included).
/// </summary>
internal sealed class TokenRefusal
{
    private IntercomApiException? _refusal;

    /// <summary>Remembers <paramref name="error"/> if it refuses the token (the first such error wins).</summary>
    public void Observe(IntercomApiException error)
    {
        if (IntercomErrorClassifier.RefusesTheToken(error))
            Interlocked.CompareExchange(ref _refusal, error, null);
    }

    public void ThrowIfRefused()
    {
        if (Volatile.Read(ref _refusal) is { } refused)
            throw IntercomErrorClassifier.NotSentAfter(refused);
    }
}
