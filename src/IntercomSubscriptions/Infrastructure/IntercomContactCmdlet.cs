using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>
/// A bulk cmdlet whose records name a contact by Intercom id, email or external id. None of the
/// three is mandatory to PowerShell's binder, so that a CSV row lacking all of them gets this
/// module's error (naming the columns it accepts) for that row alone, and the batch goes on.
/// </summary>
public abstract class IntercomContactCmdlet<TResult> : IntercomBulkCmdlet<TResult>
{
    internal const string ContactColumns =
        "ContactId (or contact_id, intercom_id), Email (or email_address), or ExternalId (or external_id, user_id)";

    /// <summary>The contact's Intercom id, e.g. 63a07ddf05a32042dffac965.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("contact_id", "intercom_id")]
    [ValidateIntercomId("contact id")]
    public string[]? ContactId { get; set; }

    /// <summary>The contact's email, resolved through Intercom's contact search.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("email_address", "EmailAddress")]
    public string[]? Email { get; set; }

    /// <summary>Your own user id for the contact (Intercom's external_id), resolved through the contact search.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("external_id", "user_id", "UserId")]
    public string[]? ExternalId { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (!MyInvocation.ExpectingInput)
            ExpectedTotal = (ContactId ?? ExternalId ?? Email)?.Length;
    }

    /// <summary>
    /// The contacts this record names. When a row carries several columns the most precise wins:
    /// an Intercom id, then an external id, then an email (which may match a lead and a user).
    /// Writes the record's error and returns nothing when it names no contact or a bad value.
    /// </summary>
    internal IReadOnlyList<ContactTarget> ContactTargets()
    {
        if (ContactId is { Length: > 0 })
            return ContactId.Select(id => new ContactTarget(null, id)).ToArray();
        // A bare string piped in ('63a0…' | Get-IntercomContactSubscription) is a contact id. Binding
        // ContactId from the pipeline by value instead would also turn whole rows into strings.
        if (ExternalId is not { Length: > 0 } && Email is not { Length: > 0 } && InputObject?.BaseObject is string piped)
        {
            var problem = IntercomIds.Problem(piped, "contact id");
            if (problem is null)
                return new[] { new ContactTarget(null, piped) };
            WriteError(IntercomErrors.InvalidArgument(problem, piped));
            return Array.Empty<ContactTarget>();
        }
        var (field, values, what) = ExternalId is { Length: > 0 } ? (ContactSearchField.ExternalId, ExternalId, "external id")
            : Email is { Length: > 0 } ? (ContactSearchField.Email, Email, "email")
            : (ContactSearchField.Email, Array.Empty<string>(), "");
        if (values.Length == 0)
        {
            WriteError(IntercomErrors.InvalidArgument(
                $"The input names no contact. Give {ContactColumns}." + DescribeInput(), InputObject, "IntercomContactColumnMissing"));
            return Array.Empty<ContactTarget>();
        }
        var targets = new List<ContactTarget>();
        foreach (var value in values)
        {
            var problem = IntercomIds.LookupValueProblem(value, what);
            if (problem is null)
                targets.Add(new ContactTarget(field, value));
            else
                WriteError(IntercomErrors.InvalidArgument(problem, InputObject ?? (object?)value));
        }
        return targets;
    }

    /// <summary>
    /// One request per contact this record names: resolves the contact, then runs
    /// <paramref name="request"/> with its Intercom id. With an <paramref name="action"/>, each asks
    /// ShouldProcess first. Errors name the contact and <paramref name="subjectSuffix"/>.
    /// </summary>
    internal void SubmitForEachContact(string? action, string subjectSuffix,
        Func<string, CancellationToken, Task<TResult>> request, Action<TResult> onResult)
    {
        foreach (var target in ContactTargets())
        {
            if (action is not null && !ShouldProcess(target.ToString(), action))
                continue;
            Submit(InputObject ?? (object)target.Value, target + subjectSuffix,
                async cancellationToken =>
                {
                    var contactId = await ResolveAsync(target, cancellationToken).ConfigureAwait(false);
                    return await request(contactId, cancellationToken).ConfigureAwait(false);
                },
                onResult);
        }
    }

    /// <summary>The contact's Intercom id: as given, or found by email or external id (one match exactly).</summary>
    private async Task<string> ResolveAsync(ContactTarget target, CancellationToken cancellationToken)
    {
        if (target.Field is not { } field)
            return target.Value;
        var matches = await ActiveConnection.Contacts.FindAsync(field, target.Value, EngineEvents, cancellationToken).ConfigureAwait(false);
        return matches.Count switch
        {
            1 => matches[0].Id,
            0 => throw new ContactResolutionException($"No Intercom contact has the {target.FieldName} '{target.Value}'.", ambiguous: false),
            _ => throw new ContactResolutionException(
                $"The {target.FieldName} '{target.Value}' matches {matches.Count} contacts: "
                + string.Join(", ", matches.Select(m => $"{m.Id} ({m.Role ?? "contact"})")) + ". Give one of them with -ContactId.",
                ambiguous: true),
        };
    }

    private string DescribeInput()
    {
        if (InputObject is null) return "";
        var names = InputObject.Properties.Select(p => p.Name).Take(12).ToArray();
        return names.Length == 0 ? "" : $" The input record has: {string.Join(", ", names)}.";
    }
}

/// <summary>A contact named by id, or by email or external id still to be resolved.</summary>
internal readonly record struct ContactTarget(ContactSearchField? Field, string Value)
{
    public string FieldName => Field == ContactSearchField.Email ? "email" : "external id";

    public override string ToString() => Field is null ? $"Contact '{Value}'" : $"Contact with {FieldName} '{Value}'";
}
