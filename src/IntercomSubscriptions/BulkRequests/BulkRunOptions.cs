namespace IntercomSubscriptions;

/// <summary>How the user asked a bulk run to go.</summary>
/// <param name="ThrottleLimit">The most records in progress at once (-ThrottleLimit).</param>
/// <param name="WriteSummary">-Summary: the run writes one IntercomRunSummary when it ends, and no per-record results.</param>
/// <param name="StopOnError">-ErrorAction Stop (or $ErrorActionPreference = 'Stop'): the first failed record ends the run.</param>
/// <param name="Piped">The records come down the pipeline; otherwise from parameters, where each value of an array is an input of its own.</param>
internal sealed record BulkRunOptions(int ThrottleLimit, bool WriteSummary, bool StopOnError, bool Piped = true);
