namespace IntercomSubscriptions;

/// <summary>One input record's progress through the run.</summary>
internal sealed class RecordTicket
{
    public RecordTicket(long sequence) => Sequence = sequence;

    public long Sequence { get; }
    public int Outstanding { get; set; }
    public bool Closed { get; set; }
    public bool Failed { get; set; }
    public bool Succeeded { get; set; }
    public bool Counted { get; set; }
    public bool Finished => Closed && Outstanding == 0;
}
