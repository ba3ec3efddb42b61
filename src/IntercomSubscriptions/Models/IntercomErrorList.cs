using System.Collections.ObjectModel;
using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// The errors a run summary keeps (<see cref="IntercomRunSummary.Errors"/>), which read as each
/// error id with how often it occurred, most frequent first: "96 IntercomContactNotFound,
/// 4 IntercomServerError". That is what <c>$run | Export-Csv</c> writes in the Errors column, where
/// a collection's type name would say nothing; the records themselves are the list's items.
/// </summary>
public sealed class IntercomErrorList : ReadOnlyCollection<ErrorRecord>
{
    internal IntercomErrorList(IList<ErrorRecord> errors) : base(errors)
    {
    }

    public override string ToString() => string.Join(", ", this
        .GroupBy(ErrorIds.Of, StringComparer.Ordinal)
        .OrderByDescending(group => group.Count())
        .Select(group => $"{group.Count()} {group.Key}"));
}
