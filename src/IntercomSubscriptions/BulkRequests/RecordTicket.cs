namespace IntercomSubscriptions;

/// <summary>
/// One input record's state in a bulk run (<see cref="RecordState"/>): Processing until the cmdlet
/// is done with it, Waiting while requests it sent are out, then finished in the worst outcome its
/// parts reported (Failed over Succeeded over Skipped). Changed on the pipeline thread only.
/// </summary>
internal sealed class RecordTicket
{
    // What it is counted as once nothing of it is open; only ever moves towards Failed.
    private RecordState _outcome = RecordState.Skipped;

    public RecordTicket(long sequence) => Sequence = sequence;

    /// <summary>Its place in the input, from 1.</summary>
    public long Sequence { get; }

    public RecordState State { get; private set; } = RecordState.Processing;

    /// <summary>Requests (and second steps) it sent whose outcome has not come back.</summary>
    public int RequestsOut { get; private set; }

    public bool IsFinished => State is RecordState.Skipped or RecordState.Succeeded or RecordState.Failed;

    /// <summary>Still being processed, with nothing sent and nothing reported: a stop now leaves it not processed.</summary>
    public bool IsUntouched => State == RecordState.Processing && RequestsOut == 0 && _outcome == RecordState.Skipped;

    public void RequestSent()
    {
        if (IsFinished) throw new InvalidOperationException($"Record {Sequence} is finished: it sends nothing more.");
        RequestsOut++;
    }

    /// <summary>A part of the record succeeded or failed; the worst outcome stands.</summary>
    public void Report(RecordState outcome)
    {
        if (outcome is not (RecordState.Succeeded or RecordState.Failed))
            throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "A part succeeds or fails.");
        if (outcome > _outcome) _outcome = outcome;
    }

    /// <summary>A request came back (its outcome reported first); true when that finished the record.</summary>
    public bool RequestDone()
    {
        if (RequestsOut == 0) throw new InvalidOperationException($"Record {Sequence} has no request out.");
        RequestsOut--;
        return FinishIfClosed();
    }

    /// <summary>The cmdlet is done with the record; true when that finished it (no request was out).</summary>
    public bool ProcessingDone()
    {
        if (State != RecordState.Processing) throw new InvalidOperationException($"Record {Sequence} was already processed.");
        State = RecordState.Waiting;
        return FinishIfClosed();
    }

    private bool FinishIfClosed()
    {
        if (State != RecordState.Waiting || RequestsOut > 0) return false;
        State = _outcome;
        return true;
    }
}
