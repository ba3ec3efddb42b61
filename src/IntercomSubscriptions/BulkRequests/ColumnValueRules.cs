using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// What a value of a column the cmdlets read from piped records must be, said once for a record's
/// cell and for the same value typed on the command line. Not binding attributes: PowerShell's
/// binder would refuse a whole piped record for one bad cell before the cmdlet sees it, so the
/// record would be in no summary and no failed-records file. A record's bad cell is that record's error instead (see
/// <see cref="RecordInput"/> and <see cref="ContactColumns"/>), and a bad value typed on the command
/// line ends the command before any request (<see cref="RecordColumns.RefusedOnCommandLine"/>).
/// </summary>
internal static class ColumnValueRules
{
    /// <summary>Why <paramref name="value"/> (cleaned: trimmed, not empty) cannot be a value of <paramref name="column"/>; null when it can, or the column has no rule.</summary>
    public static string? Problem(string column, string value) => column switch
    {
        nameof(ContactColumns.ContactId) => IntercomIds.Problem(value, "contact id"),
        nameof(RecordInput.SubscriptionId) => SubscriptionIdProblem(value),
        nameof(RecordInput.Consent) => ConsentProblem(value),
        _ => null,
    };

    public static string? SubscriptionIdProblem(string value) =>
        IntercomIds.SubscriptionTypeIdProblem(value) is { } problem ? problem + " Get-IntercomSubscriptionType lists them." : null;

    public static string? ConsentProblem(string value) => Consent(value) is null
        ? $"The consent '{PrintableText.Shortened(value)}' is neither opt_in nor opt_out. Give opt_in or opt_out, or leave it out to use the subscription type's own consent type."
        : null;

    /// <summary>opt_in or opt_out in Intercom's spelling, from any case; null when <paramref name="value"/> is neither.</summary>
    public static string? Consent(string? value) =>
        string.Equals(value, "opt_in", StringComparison.OrdinalIgnoreCase) ? "opt_in"
        : string.Equals(value, "opt_out", StringComparison.OrdinalIgnoreCase) ? "opt_out"
        : null;
}
