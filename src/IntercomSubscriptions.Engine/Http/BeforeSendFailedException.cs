namespace IntercomSubscriptions.Engine;

/// <summary>
/// The caller's own step before the first attempt (<see cref="CallOptions.BeforeFirstSend"/>) failed, so
/// nothing was sent. Not a transient failure: the call is not retried. The caller's exception is the
/// inner one.
/// </summary>
internal sealed class BeforeSendFailedException : Exception
{
    public BeforeSendFailedException(Exception inner)
        : base("Not sent: the step before sending failed: " + inner.Message, inner)
    {
    }
}
