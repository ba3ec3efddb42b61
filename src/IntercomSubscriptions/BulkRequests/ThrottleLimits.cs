using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// -ThrottleLimit of the contact cmdlets: a cap on the records in progress at once, not a setting
/// to tune. Below it, the connection finds how many requests to keep on the wire from the latency
/// and the rate limit it measures (<see cref="AdaptiveConcurrencyLimit"/>); the cap only has to be
/// higher than that (about 59 at 300 ms against Intercom's 1,666 per 10 s) plus the records waiting
/// for a retry. 1 still means one record after another.
/// </summary>
internal static class ThrottleLimits
{
    public const int Default = 128;
    public const int Maximum = AdaptiveConcurrencyLimit.Maximum;
}
