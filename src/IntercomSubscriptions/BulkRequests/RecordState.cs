namespace IntercomSubscriptions;

/// <summary>
/// Where one record (one contact of one input) stands in a bulk run (<see cref="RecordTicket"/>):
/// open while the cmdlet works on it or its requests are out, then finished in the one outcome it is
/// counted as. The finished states are ordered: a record whose parts report several outcomes is
/// counted as the last of them in this order (Failed over InDoubt over Succeeded over Skipped).
/// </summary>
internal enum RecordState
{
    /// <summary>ProcessRecord is working on it and may still send requests.</summary>
    Processing,

    /// <summary>ProcessRecord is done with it; requests it sent are still out.</summary>
    Waiting,

    /// <summary>Finished with nothing sent and nothing known of it: the run stopped, ran out of time, or ended on an error first.</summary>
    NotProcessed,

    /// <summary>Finished with nothing sent on purpose: -WhatIf, No to -Confirm, a Default row, or a change the journal shows applied (-Resume).</summary>
    Skipped,

    /// <summary>Finished: a request of it succeeded (or none was needed), and none failed.</summary>
    Succeeded,

    /// <summary>
    /// Finished: its change was sent and no answer says whether Intercom applied it (stopped while on
    /// the wire, no answer in time, the connection lost, a 5xx): counted, never "not processed".
    /// </summary>
    InDoubt,

    /// <summary>Finished: it failed, before any request or because Intercom refused it; its error is in the summary.</summary>
    Failed,
}
