namespace IntercomSubscriptions;

/// <summary>
/// Where one input record stands in a bulk run (<see cref="RecordTicket"/>): open while the cmdlet
/// works on it or its requests are out, then finished in the one outcome it is counted as.
/// </summary>
/// <remarks>
/// A request that was sent and whose answer a stop cut off belongs between Succeeded and Failed as a
/// finished outcome of its own (Intercom may have applied it): counted, never "not processed".
/// </remarks>
internal enum RecordState
{
    /// <summary>ProcessRecord is working on it and may still send requests.</summary>
    Processing,

    /// <summary>ProcessRecord is done with it; requests it sent are still out.</summary>
    Waiting,

    /// <summary>Finished with nothing sent on purpose (-WhatIf, No to -Confirm) and nothing failed.</summary>
    Skipped,

    /// <summary>Finished: a request of it succeeded (or needed no sending), and none failed.</summary>
    Succeeded,

    /// <summary>Finished: it failed, before any request or in one; its error is in the summary.</summary>
    Failed,
}
