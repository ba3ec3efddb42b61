using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Which contacts one input record names, from its cleaned values (<see cref="RecordInput"/>). None
/// of the three is mandatory to PowerShell's binder, so that a CSV row lacking all of them gets this
/// module's error (naming the columns it accepts) for that row alone, and the batch goes on.
/// </summary>
internal readonly record struct ContactColumns(string[]? ContactId, string[]? Email, string[]? ExternalId)
{
    internal const string Accepted =
        "ContactId (or contact_id, intercom_id, Contact ID), Email (or email_address, Email Address, E-mail), or ExternalId (or external_id, user_id, External ID)";

    /// <summary>How many contacts the parameters name when given directly (not from the pipeline).</summary>
    public long? Count => (ContactId ?? ExternalId ?? Email)?.Length;

    /// <summary>
    /// The contacts this record names. When a row names one contact in several ways, the most
    /// precise is used (an Intercom id, then an external id, then an email, which may match a lead
    /// and a user) and the others must name the same contact, or the row fails naming both.
    /// Writes the record's error through <paramref name="writeError"/> and returns nothing when it
    /// names no contact; a bad value among several is that value's error, through
    /// <paramref name="writeContactError"/> (the same as <paramref name="writeError"/> when not given),
    /// and the others go on.
    /// </summary>
    public IReadOnlyList<ContactTarget> Targets(PSObject? inputObject, Action<ErrorRecord> writeError, Action<ErrorRecord>? writeContactError = null)
    {
        var errorTarget = (object?)inputObject;
        if (ContactId is null && ExternalId is null && Email is null && inputObject?.BaseObject is string piped)
            return Piped(piped, writeError);

        var given = new List<(ContactSearchField? Field, string[] Values)>();
        if (ContactId is not null) given.Add((null, ContactId));
        if (ExternalId is not null) given.Add((ContactSearchField.ExternalId, ExternalId));
        if (Email is not null) given.Add((ContactSearchField.Email, Email));
        if (given.Count == 0)
        {
            writeError(IntercomErrors.InvalidArgument(
                $"The input names no contact. Give {Accepted}." + Describe(inputObject), inputObject, ErrorIds.ContactColumnMissing));
            return Array.Empty<ContactTarget>();
        }
        if (given.Count > 1 && given.Any(g => g.Values.Length > 1))
        {
            writeError(IntercomErrors.ToErrorRecord(new ContactConflictException(
                "The input names contacts in more than one way (" + string.Join(", ", given.Select(g => Name(g.Field))) +
                ") with several values; give the contacts one way."), errorTarget ?? given[0].Values));
            return Array.Empty<ContactTarget>();
        }

        var corroborating = new List<ContactTarget>();
        foreach (var (field, values) in given.Skip(1))
        {
            if (Checked(field, values[0], inputObject, writeError) is not { } other) return Array.Empty<ContactTarget>();
            corroborating.Add(other);
        }
        var targets = new List<ContactTarget>();
        foreach (var value in given[0].Values)
        {
            if (Checked(given[0].Field, value, inputObject, writeContactError ?? writeError) is { } target)
                targets.Add(target with { MustMatch = corroborating.Count == 0 ? null : corroborating.ToArray() });
        }
        return targets;
    }

    /// <summary>
    /// The contacts given on the command line (not piped), as the column a file of records would hold
    /// them in: the parameter that names them (the one <see cref="Targets"/> uses first when several
    /// are given) and its values. Null when none is given.
    /// </summary>
    public (string Column, string[] Values)? Given() =>
        ContactId is not null ? (nameof(ContactId), ContactId)
        : ExternalId is not null ? (nameof(ExternalId), ExternalId)
        : Email is not null ? (nameof(Email), Email)
        : null;

    /// <summary>The column that names the same contact as a plain string piped in: Email or ContactId, as <see cref="Piped"/> reads it.</summary>
    public static string PipedColumn(string piped) => LooksLikeEmail(CellValue.Clean(piped) ?? piped) ? nameof(Email) : nameof(ContactId);

    /// <summary>A plain string piped in (Get-Content emails.txt): an email when it looks like one, otherwise a contact id.</summary>
    private static ContactTarget[] Piped(string piped, Action<ErrorRecord> writeError)
    {
        var value = CellValue.Clean(piped) ?? piped;
        var field = PipedColumn(value) == nameof(Email) ? ContactSearchField.Email : (ContactSearchField?)null;
        return Checked(field, value, piped, writeError) is { } target ? new[] { target } : Array.Empty<ContactTarget>();
    }

    private static bool LooksLikeEmail(string value)
    {
        var at = value.IndexOf('@');
        return at > 0 && at < value.Length - 1 && !value.Any(char.IsWhiteSpace);
    }

    private static ContactTarget? Checked(ContactSearchField? field, string value, object? errorTarget, Action<ErrorRecord> writeError)
    {
        var problem = field is null ? ColumnValueRules.Problem(nameof(ContactId), value) : IntercomIds.LookupValueProblem(value, Name(field));
        if (problem is null)
            return new ContactTarget(field, value);
        writeError(IntercomErrors.InvalidArgument(problem, errorTarget ?? value));
        return null;
    }

    private static string Name(ContactSearchField? field) => field switch
    {
        null => "contact id",
        ContactSearchField.Email => "email",
        _ => "external id",
    };

    private static string Describe(PSObject? inputObject)
    {
        if (inputObject is null) return "";
        var names = inputObject.BaseObject is System.Collections.IDictionary dictionary
            ? dictionary.Keys.Cast<object>().Select(k => k?.ToString() ?? "").Take(12).ToArray()
            : inputObject.Properties.Select(p => p.Name).Take(12).ToArray();
        // Shown escaped, so that a byte-order mark or other invisible character stuck to a header is visible.
        return names.Length == 0 ? "" : $" The input record has: {string.Join(", ", names.Select(CellValue.Escaped))}.";
    }
}
