namespace IntercomSubscriptions;

/// <summary>
/// Whether a bulk run has seen a failure that ends it (-ErrorAction Stop, a journal that cannot be
/// written), after which nothing more may be sent. Set once, from a worker thread or the pipeline
/// thread, and never cleared; read before anything is sent.
/// </summary>
internal sealed class FailureLatch
{
    // Volatile: a worker thread's set must be seen by the next send on any other thread.
    private volatile bool _seen;

    /// <summary>A failure that ends the run has been seen: nothing more may be sent.</summary>
    public bool Seen => _seen;

    /// <summary>Records that a failure that ends the run has been seen.</summary>
    public void MarkSeen() => _seen = true;
}
