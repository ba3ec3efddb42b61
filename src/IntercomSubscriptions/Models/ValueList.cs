using System.Collections.ObjectModel;

namespace IntercomSubscriptions;

/// <summary>
/// A read-only list of an output's values (a subscription type's content types, its translations)
/// that reads as its items joined: "email, sms_message". Export-Csv and ConvertTo-Csv write a
/// property's ToString(), which for an array is its type name (System.String[]); this list's is the
/// values, so a spreadsheet shows them. The property stays one typed list for scripts: indexing
/// (<c>$t.ContentTypes[0]</c>), Count and Length, foreach, -contains, -join, ConvertTo-Json (an
/// array) and remoting or job output (a list) all work as they did on the array.
/// </summary>
/// <remarks>
/// Other ways were weighed. A types.ps1xml DefaultDisplayPropertySet changes what Format-* show,
/// not what Export-Csv writes. A string twin (a ScriptProperty or CodeProperty "ContentTypesText")
/// adds a column but leaves the array's own column "System.String[]", unless the array is hidden,
/// and then scripts that read it by its old name lose it from Select-Object *. Making the property
/// itself a joined string breaks <c>$t.ContentTypes[0]</c> (a character). Only a list whose text
/// is its values keeps one property that is right in both places.
/// </remarks>
public sealed class ValueList<T> : ReadOnlyCollection<T>
{
    private readonly string _separator;

    public ValueList(IEnumerable<T> items) : this(items, ", ")
    {
    }

    /// <param name="separator">Between two items' text: ", " by default; "; " where an item's text may hold a comma itself.</param>
    internal ValueList(IEnumerable<T> items, string separator) : base(items.ToList()) => _separator = separator;

    private ValueList(string separator, IList<T> live) : base(live) => _separator = separator;

    /// <summary>A list that shows <paramref name="live"/> as it is now, changes included (a run summary's, filled as the run goes).</summary>
    internal static ValueList<T> Over(IList<T> live, string separator) => new(separator, live);

    /// <summary>An array where the list is wanted, as the property's type was an array before.</summary>
    public static implicit operator ValueList<T>(T[] items) => new(items);

    /// <summary>The number of items, under the name an array has, for scripts written against one.</summary>
    public int Length => Count;

    public override string ToString() => string.Join(_separator, this.Select(item => item?.ToString()));
}
