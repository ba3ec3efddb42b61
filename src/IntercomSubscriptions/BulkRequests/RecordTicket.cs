namespace IntercomSubscriptions;

/// <summary>
/// One record's state in a bulk run (<see cref="RecordState"/>): Processing until the cmdlet is done
/// with it, Waiting while requests it sent are out, then finished in the outcome its parts reported
/// (the last in <see cref="RecordState"/>'s order), or NotProcessed when none did. A record is one
/// contact of one input: a CSV row naming one contact is one record, -ContactId c1,c2,c3 three.
/// Changed on the pipeline thread only.
/// </summary>
internal sealed class RecordTicket
{
    private RecordState _outcome = RecordState.NotProcessed;

    /// <param name="sequence">Its place among the run's records, from 1.</param>
    /// <param name="input">The input it belongs to, from 1: the pipeline object, or (for values given as parameters) the value's place.</param>
    public RecordTicket(long sequence, long input)
    {
        Sequence = sequence;
        Input = input;
    }

    public long Sequence { get; }

    /// <summary>Which input it belongs to: what <c>Select-Object -Skip</c> counts, for Handled.</summary>
    public long Input { get; }

    public RecordState State { get; private set; } = RecordState.Processing;

    /// <summary>An error of it is in the summary (and the failed-records file), to re-run from there.</summary>
    public bool ErrorKept { get; set; }

    /// <summary>Requests (and second steps) it started whose outcome has not come back.</summary>
    public int RequestsOut { get; private set; }

    public bool IsFinished => State >= RecordState.NotProcessed;

    public void RequestStarted()
    {
        if (IsFinished) throw new InvalidOperationException($"Record {Sequence} is finished: it starts nothing more.");
        RequestsOut++;
    }

    /// <summary>A part of the record ended in <paramref name="outcome"/>; the last in <see cref="RecordState"/>'s order stands.</summary>
    public void Report(RecordState outcome)
    {
        if (outcome < RecordState.Skipped)
            throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "A part is skipped, succeeds, is in doubt or fails.");
        if (outcome > _outcome) _outcome = outcome;
    }

    /// <summary>A request came back (its outcome reported first); true when that finished the record.</summary>
    public bool RequestDone()
    {
        if (RequestsOut == 0) throw new InvalidOperationException($"Record {Sequence} has no request out.");
        RequestsOut--;
        return FinishIfClosed();
    }

    /// <summary>The cmdlet is done with the record; true when that finished it (no request was out). Once only.</summary>
    public bool ProcessingDone()
    {
        if (State != RecordState.Processing) return false;
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
