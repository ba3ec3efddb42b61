namespace IntercomSubscriptions;

/// <summary>What one record gives for each of its cmdlet's columns (<see cref="RecordColumns.Read"/>): cleaned values, or a conflict.</summary>
internal sealed class RecordCells
{
    private readonly Dictionary<string, string[]?> _values;

    public RecordCells(Dictionary<string, string[]?> values, (string Column, string Message)? conflict)
    {
        _values = values;
        Conflict = conflict;
    }

    /// <summary>Why the record cannot be read: two spellings of <c>Column</c> that disagree. Null when it can.</summary>
    public (string Column, string Message)? Conflict { get; }

    /// <summary>The column's values (a parameter may take several); null when the record gives none.</summary>
    public string[]? Values(string column) => _values.TryGetValue(column, out var values) ? values : null;

    /// <summary>The column's value; null when the record gives none.</summary>
    public string? Single(string column) => Values(column)?[0];
}
