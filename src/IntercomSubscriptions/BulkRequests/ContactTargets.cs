using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// Which contacts one input record names, from the columns it bound. None of the three is
/// mandatory to PowerShell's binder, so that a CSV row lacking all of them gets this module's error
/// (naming the columns it accepts) for that row alone, and the batch goes on.
/// </summary>
internal readonly record struct ContactColumns(string[]? ContactId, string[]? Email, string[]? ExternalId)
{
    internal const string Accepted =
        "ContactId (or contact_id, intercom_id), Email (or email_address), or ExternalId (or external_id, user_id)";

    /// <summary>How many contacts the parameters name when given directly (not from the pipeline).</summary>
    public long? Count => (ContactId ?? ExternalId ?? Email)?.Length;

    /// <summary>
    /// The contacts this record names. When a row carries several columns the most precise wins:
    /// an Intercom id, then an external id, then an email (which may match a lead and a user).
    /// Writes the record's error through <paramref name="writeError"/> and returns nothing when it
    /// names no contact or a bad value.
    /// </summary>
    public IReadOnlyList<ContactTarget> Targets(PSObject? inputObject, Action<ErrorRecord> writeError)
    {
        if (ContactId is { Length: > 0 })
            return ContactId.Select(id => new ContactTarget(null, id)).ToArray();
        // A bare string piped in ('63a0…' | Get-IntercomContactSubscription) is a contact id. Binding
        // ContactId from the pipeline by value instead would also turn whole rows into strings.
        if (ExternalId is not { Length: > 0 } && Email is not { Length: > 0 } && inputObject?.BaseObject is string piped)
        {
            var problem = IntercomIds.Problem(piped, "contact id");
            if (problem is null)
                return new[] { new ContactTarget(null, piped) };
            writeError(IntercomErrors.InvalidArgument(problem, piped));
            return Array.Empty<ContactTarget>();
        }
        var (field, values, what) = ExternalId is { Length: > 0 } ? (ContactSearchField.ExternalId, ExternalId, "external id")
            : Email is { Length: > 0 } ? (ContactSearchField.Email, Email, "email")
            : (ContactSearchField.Email, Array.Empty<string>(), "");
        if (values.Length == 0)
        {
            writeError(IntercomErrors.InvalidArgument(
                $"The input names no contact. Give {Accepted}." + Describe(inputObject), inputObject, "IntercomContactColumnMissing"));
            return Array.Empty<ContactTarget>();
        }
        var targets = new List<ContactTarget>();
        foreach (var value in values)
        {
            var problem = IntercomIds.LookupValueProblem(value, what);
            if (problem is null)
                targets.Add(new ContactTarget(field, value));
            else
                writeError(IntercomErrors.InvalidArgument(problem, inputObject ?? (object?)value));
        }
        return targets;
    }

    private static string Describe(PSObject? inputObject)
    {
        if (inputObject is null) return "";
        var names = inputObject.Properties.Select(p => p.Name).Take(12).ToArray();
        return names.Length == 0 ? "" : $" The input record has: {string.Join(", ", names)}.";
    }
}

/// <summary>A contact named by id, or by email or external id still to be resolved.</summary>
internal readonly record struct ContactTarget(ContactSearchField? Field, string Value)
{
    public string FieldName => Field == ContactSearchField.Email ? "email" : "external id";

    public override string ToString() => Field is null ? $"Contact '{Value}'" : $"Contact with {FieldName} '{Value}'";
}
