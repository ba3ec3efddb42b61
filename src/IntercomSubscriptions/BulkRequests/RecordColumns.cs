using System.Collections;
using System.Management.Automation;
using System.Reflection;

namespace IntercomSubscriptions;

/// <summary>
/// The columns a contact cmdlet reads from a pipeline record: its parameters that bind by property
/// name, under every spelling their [Alias] attributes declare ("Email Address", "Contact ID"…), so
/// that PowerShell binds them and Get-Help lists them. Binding does the work; this is the one place
/// that looks at a record a second time, and only for what binding cannot do (each seen in the
/// hosted engine):
/// <list type="bullet">
/// <item>a hashtable row: binding reads an object's properties, never a dictionary's keys;</item>
/// <item>a header with an invisible character or white space stuck to it (the byte-order mark of an
/// Excel export): binding matches a spelling exactly, less case;</item>
/// <item>a value the parameter's type cannot take (Set's State 'Sometimes'): binding leaves the
/// parameter unbound without a word, so the cell is read for the record's error to name it;</item>
/// <item>two spellings of one column in one record: binding takes the first it finds, even an empty
/// one, so a filled second spelling is used, and two that disagree fail the record.</item>
/// </list>
/// Names are looked at first; a cell's value is read only for a column binding missed or shares.
/// </summary>
/// <remarks>
/// What the command line names decides for every record: <c>Get-IntercomContactSubscription -Email a@x |
/// Add-IntercomContactSubscription -ContactId c2</c> copies to c2, although the piped objects carry an
/// Email that binds by name; likewise a subscription type given on the command line is not second-guessed
/// by a record's subscription columns. So the contact columns go together, and so do the type's.
/// </remarks>
internal sealed class RecordColumns
{
    private static readonly string[][] DecidedTogether =
    {
        new[] { "ContactId", "Email", "ExternalId" },
        new[] { "SubscriptionId", "SubscriptionName" },
    };

    private readonly object _cmdlet;
    private readonly Dictionary<string, PropertyInfo> _parameters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _columnBySpelling = new(StringComparer.OrdinalIgnoreCase);
    private readonly string[] _columns;
    private readonly (string Column, PropertyInfo Parameter)[] _parameterList;
    private readonly HashSet<string> _givenOnCommandLine;
    private readonly HashSet<string> _decidedByCommandLine = new(StringComparer.Ordinal);

    /// <param name="cmdlet">The cmdlet whose parameters these are; read once BeginProcessing has bound the command line.</param>
    /// <param name="commandLine">The parameters bound in BeginProcessing: those given on the command line.</param>
    /// <param name="otherColumns">Columns that are no parameter but that the cmdlet reads (Source).</param>
    public RecordColumns(PSCmdlet cmdlet, IEnumerable<string> commandLine, params string[] otherColumns)
    {
        _cmdlet = cmdlet;
        foreach (var property in cmdlet.GetType().GetProperties())
        {
            if (!property.GetCustomAttributes<ParameterAttribute>().Any(p => p.ValueFromPipelineByPropertyName)) continue;
            _parameters[property.Name] = property;
            _columnBySpelling[property.Name] = property.Name;
            foreach (var alias in property.GetCustomAttributes<AliasAttribute>().SelectMany(a => a.AliasNames))
                _columnBySpelling[alias] = property.Name;
        }
        foreach (var column in otherColumns)
            _columnBySpelling[column] = column;
        _columns = _columnBySpelling.Values.Distinct().ToArray();
        _parameterList = _parameters.Select(p => (p.Key, p.Value)).ToArray();
        _givenOnCommandLine = new HashSet<string>(commandLine.Where(_parameters.ContainsKey), StringComparer.Ordinal);
        foreach (var given in _givenOnCommandLine)
        {
            _decidedByCommandLine.Add(given);
            foreach (var group in DecidedTogether.Where(g => g.Contains(given)))
                _decidedByCommandLine.UnionWith(group);
        }
    }

    /// <summary>Whether what the command line gives decides <paramref name="column"/> for every record (see the remarks).</summary>
    public bool IsDecidedByCommandLine(string column) => _decidedByCommandLine.Contains(column);

    /// <summary>
    /// The first value given on the command line that no record could use: an empty one (-ContactId ''),
    /// which in a CSV cell would be an absent value but typed is a mistake, or one its column's rule
    /// refuses (-ContactId '../x', <see cref="ColumnValueRules"/>). Refused before any request, as the
    /// binder's validation would, naming the parameter and the value. Null when there is none.
    /// </summary>
    public ErrorRecord? RefusedOnCommandLine()
    {
        foreach (var name in _givenOnCommandLine)
        {
            var value = _parameters[name].GetValue(_cmdlet);
            var values = value switch
            {
                null => new string?[] { null },
                string text => new[] { text },
                IEnumerable many => many.Cast<object?>().Select(v => v?.ToString()),
                _ => Array.Empty<string?>(), // a number or a state is never empty
            };
            foreach (var given in values)
            {
                if (CellValue.Clean(given) is not { } clean)
                    return IntercomErrors.InvalidArgument($"-{name} is empty. Give a value, or leave -{name} out.", value, ErrorIds.InvalidArgument, ErrorCategory.InvalidData);
                if (ColumnValueRules.Problem(name, clean) is { } problem)
                    return IntercomErrors.InvalidArgument($"Cannot validate argument on parameter '{name}'. {problem}", given, ErrorIds.InvalidArgument, ErrorCategory.InvalidData);
            }
        }
        return null;
    }

    /// <summary>
    /// What <paramref name="record"/> (the pipeline record, or null when the values came on the command
    /// line) gives for each column: what binding left in the parameter, cleaned, or else what the second
    /// look found (see the class summary); for a column the command line decides, only the command line.
    /// </summary>
    public RecordCells Read(PSObject? record)
    {
        // A row of the module's failed-records file holds values guarded against spreadsheet formulas: read as they were.
        Func<object?, string[]?> valuesOf = FailedRecordFile.IsFileRow(record) ? CellValue.RestoredValues : CellValue.Values;
        var values = new Dictionary<string, string[]?>(_columns.Length, StringComparer.Ordinal);
        foreach (var (column, parameter) in _parameterList)
            values[column] = _givenOnCommandLine.Contains(column) ? CellValue.Values(parameter.GetValue(_cmdlet)) : valuesOf(parameter.GetValue(_cmdlet));
        var unbound = record is null || record.BaseObject is string ? null : CellsBindingMissedOrShares(record, values, valuesOf);
        (string Column, string Message)? conflict = null;
        foreach (var column in _columns)
        {
            values.TryGetValue(column, out var bound);
            if (_decidedByCommandLine.Contains(column))
            {
                values[column] = _givenOnCommandLine.Contains(column) ? bound : null;
                continue;
            }
            string[]? found = null;
            if (unbound is not null && unbound.TryGetValue(column, out var cells))
            {
                var distinct = cells.Where(c => c.Values is not null).GroupBy(c => string.Join("\n", c.Values!), StringComparer.OrdinalIgnoreCase).ToList();
                if (distinct.Count > 1)
                {
                    conflict ??= (column, $"The record gives {column} more than once, as "
                        + string.Join(" and ", distinct.Select(d => $"'{CellValue.Escaped(d.First().Header)}' ('{string.Join(", ", d.First().Values!)}')"))
                        + ", which do not agree. Correct the row, or leave one of the columns out.");
                    continue;
                }
                found = distinct.FirstOrDefault()?.First().Values;
            }
            values[column] = bound ?? found;
        }
        return new RecordCells(values, conflict);
    }

    private sealed record Cell(string Header, string[]? Values);

    /// <summary>
    /// The record's cells for each column whose cells binding could not reach, or shares with another
    /// spelling, or may have refused; the names of every cell are looked at, the values of those only.
    /// </summary>
    /// <param name="bound">What binding left in each parameter, cleaned.</param>
    /// <param name="valuesOf">How a cell's value is read (restored, in a row of a failed-records file).</param>
    private Dictionary<string, List<Cell>>? CellsBindingMissedOrShares(PSObject record, Dictionary<string, string[]?> bound, Func<object?, string[]?> valuesOf)
    {
        Dictionary<string, List<(string Header, bool Reachable, Func<object?> Value)>>? byColumn = null;
        void Add(string? header, bool reachable, Func<object?> value)
        {
            if (header is null) return;
            // Most headers are a spelling as they stand; only the others are looked at for what hides in them.
            if (!_columnBySpelling.TryGetValue(header, out var column))
            {
                if (!_columnBySpelling.TryGetValue(CellValue.Visible(header), out column)) return;
                reachable = false;
            }
            byColumn ??= new(StringComparer.Ordinal);
            if (!byColumn.TryGetValue(column, out var cells)) byColumn[column] = cells = new();
            cells.Add((header, reachable, value));
        }
        if (record.BaseObject is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
                Add(entry.Key?.ToString(), reachable: false, () => entry.Value);
        }
        else
        {
            foreach (var property in record.Properties)
                Add(property.Name, reachable: true, () => property.Value);
        }
        if (byColumn is null) return null;

        var read = new Dictionary<string, List<Cell>>(StringComparer.Ordinal);
        foreach (var entry in byColumn)
        {
            var (column, cells) = (entry.Key, entry.Value);
            // One spelling binding reached, and a value in the parameter: binding had it all.
            if (cells.Count == 1 && cells[0].Reachable && bound.TryGetValue(column, out var value) && value is not null)
                continue;
            read[column] = cells.Select(c => new Cell(c.Header, ValueOf(c.Value, valuesOf))).ToList();
        }
        return read;
    }

    private static string[]? ValueOf(Func<object?> read, Func<object?, string[]?> valuesOf)
    {
        try { return valuesOf(read()); }
        catch (GetValueException) { return null; } // a property whose getter throws is not a cell
    }
}
