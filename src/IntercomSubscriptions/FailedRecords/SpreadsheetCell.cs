namespace IntercomSubscriptions;

/// <summary>
/// How a value is written into a cell of the module's failed-records files, and read back: a cell a
/// spreadsheet would take for a formula (one that begins with =, +, -, @, a tab, a carriage return
/// or a line feed: OWASP's CSV injection list) gets a single quote in front, which makes Excel,
/// LibreOffice and Google Sheets show it as text. So that the quote can be taken off again exactly,
/// a value that begins with a quote itself gets one more: in these files every cell that begins with
/// a quote has exactly one added, and <see cref="Restored"/> takes exactly that one off.
/// </summary>
/// <remarks>
/// The undo applies only to rows of these files (<see cref="FailedRecordFile.IsFileRow"/>): an email
/// or id that begins with a quote, a + or a - in a file of your own is taken as it is.
/// </remarks>
internal static class SpreadsheetCell
{
    public const char Guard = '\'';

    /// <summary>The value as the file holds it.</summary>
    public static string Neutralised(string value) =>
        value.Length > 0 && NeedsGuard(value[0]) ? Guard + value : value;

    /// <summary>The value a cell of the file holds, as it was before <see cref="Neutralised"/>.</summary>
    public static string Restored(string cell) =>
        cell.Length > 0 && cell[0] == Guard ? cell.Substring(1) : cell;

    private static bool NeedsGuard(char first) => first is '=' or '+' or '-' or '@' or '\t' or '\r' or '\n' or Guard;
}
