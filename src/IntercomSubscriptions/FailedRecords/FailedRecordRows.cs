using System.Collections;
using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// What a failed record's error becomes in the failed-records file: rows that name the same contacts
/// when they are imported and piped back in. A CSV row or an object is written as its properties, a
/// hashtable as its keys, a plain string piped in under the column that reads it the same way again
/// (Email or ContactId). A record given on the command line (Add-… -ExternalId u-1,u-2) has no row,
/// so it is written under the parameter that named it: one row for the contact that failed, or one
/// for each contact the command line named when the failure was not one contact's (an unknown type).
/// </summary>
/// <remarks>
/// A row that comes from one of these files (a re-run's input) is read as the file meant it: its
/// cells restored (<see cref="SpreadsheetCell.Restored"/>), and its error columns left out, since
/// this run's error replaces them. So the file of a re-run has the same columns as the file it
/// re-ran, however many times the loop goes round.
/// </remarks>
internal sealed class FailedRecordRows
{
    private readonly (string Column, string[] Values)? _givenOnCommandLine;

    /// <param name="givenOnCommandLine">The contacts the command line named, if it did (<see cref="ContactColumns.Given"/>).</param>
    public FailedRecordRows((string Column, string[] Values)? givenOnCommandLine) => _givenOnCommandLine = givenOnCommandLine;

    public IReadOnlyList<FailedRecordRow> Of(ErrorRecord error)
    {
        var id = ErrorIds.Of(error);
        var message = error.Exception?.Message ?? "";
        return CellsOf(error).Select(cells => new FailedRecordRow(cells, id, message)).ToList();
    }

    private IEnumerable<IReadOnlyList<KeyValuePair<string, string?>>> CellsOf(ErrorRecord error)
    {
        switch (error.TargetObject)
        {
            case PSObject { BaseObject: string piped }:
                yield return new[] { Cell(ContactColumns.PipedColumn(piped), piped) };
                break;
            case PSObject record:
                yield return Cells(record);
                break;
            case IDictionary dictionary:
                yield return Cells(PSObject.AsPSObject(dictionary));
                break;
            default:
                var contacts = GivenContacts(error);
                // A record that named no contact still has its row (its error), so that the file holds every failed record.
                if (contacts.Length == 0) yield return Array.Empty<KeyValuePair<string, string?>>();
                foreach (var contact in contacts)
                    yield return new[] { Cell(_givenOnCommandLine?.Column ?? nameof(ContactColumns.ContactId), contact) };
                break;
        }
    }

    /// <summary>The contacts a record given on the command line stands for (see the class summary).</summary>
    private string[] GivenContacts(ErrorRecord error)
    {
        if (error.Exception is IntercomException { ContactKey: { } contact })
            return new[] { contact };
        var given = _givenOnCommandLine?.Values ?? Array.Empty<string>();
        return error.TargetObject switch
        {
            string one when given.Contains(one, StringComparer.Ordinal) => new[] { one },
            string[] many => many,
            // The target is something else the record named (its subscription type): the whole command line failed.
            _ => given,
        };
    }

    private static KeyValuePair<string, string?> Cell(string column, string? value) => new(column, value);

    private static List<KeyValuePair<string, string?>> Cells(PSObject record)
    {
        var fromFile = FailedRecordFile.IsFileRow(record);
        var cells = new List<KeyValuePair<string, string?>>();
        void Add(string? name, Func<object?> value)
        {
            if (string.IsNullOrEmpty(name) || FailedRecordFile.IsErrorColumn(name!)) return;
            string? text;
            try { text = CellValue.AsText(value()); }
            catch (GetValueException) { text = null; } // a property whose getter throws is not a cell
            cells.Add(fromFile ? Cell(SpreadsheetCell.Restored(name!), text is null ? null : SpreadsheetCell.Restored(text)) : Cell(name!, text));
        }
        if (record.BaseObject is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
                Add(entry.Key?.ToString(), () => entry.Value);
        }
        else
        {
            foreach (var property in record.Properties)
                Add(property.Name, () => property.Value);
        }
        return cells;
    }
}
