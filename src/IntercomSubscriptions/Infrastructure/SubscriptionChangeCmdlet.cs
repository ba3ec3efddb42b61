using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>Add and Remove: a contact and a subscription type, by id or by name.</summary>
public abstract class SubscriptionChangeCmdlet : IntercomContactCmdlet<ContactSubscription>
{
    private bool _typesRefreshed;

    /// <summary>The subscription type's id, e.g. 108 (Get-IntercomSubscriptionType lists them).</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("subscription_id", "SubscriptionTypeId", "subscription_type_id")]
    [ValidateSubscriptionTypeId]
    [ArgumentCompleter(typeof(SubscriptionIdCompleter))]
    public string? SubscriptionId { get; set; }

    /// <summary>The subscription type's name (its default translation), instead of its id.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("subscription_name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SubscriptionNameCompleter))]
    public string? SubscriptionName { get; set; }

    /// <summary>
    /// The subscription type this record names, from the per-connection cache (refreshed once per
    /// run on a miss). Null with the record's error written when it names none, or an unknown one.
    /// An id missing from the cache is still returned (as a bare type) when <paramref name="idMayBeUnknown"/>:
    /// Intercom then decides, and says "Resource Not Found" if it really is unknown.
    /// </summary>
    internal SubscriptionType? ResolveSubscriptionType(bool idMayBeUnknown)
    {
        if (SubscriptionId is null && SubscriptionName is null)
        {
            WriteError(IntercomErrors.InvalidArgument(
                "The input names no subscription type. Give SubscriptionId (or subscription_id, SubscriptionTypeId) or SubscriptionName.",
                InputObject, "IntercomSubscriptionColumnMissing"));
            return null;
        }
        var types = Types(refresh: false);
        var found = Find(types);
        if (found.Count == 0 && !_typesRefreshed)
        {
            types = Types(refresh: true);
            found = Find(types);
        }
        if (found.Count == 1)
            return found[0];
        if (found.Count == 0 && SubscriptionId is not null && idMayBeUnknown)
            return new SubscriptionType { Id = SubscriptionId };

        var choices = string.Join(", ", types.Select(t => $"{t.Id} '{t.Name}'"));
        var message = found.Count == 0
            ? SubscriptionId is not null
                ? $"No subscription type has the id '{SubscriptionId}'. The workspace has: {choices}."
                : $"No subscription type is named '{SubscriptionName}'. The workspace has: {choices}."
            : $"{found.Count} subscription types are named '{SubscriptionName}': {string.Join(", ", found.Select(t => $"{t.Id} ({t.State}, {t.ConsentType})"))}. Give one with -SubscriptionId.";
        WriteError(IntercomErrors.ToErrorRecord(new SubscriptionTypeResolutionException(message), InputObject ?? (object?)SubscriptionId ?? SubscriptionName));
        return null;
    }

    private List<SubscriptionType> Find(IReadOnlyList<SubscriptionType> types) =>
        SubscriptionId is not null
            ? types.Where(t => t.Id == SubscriptionId).ToList()
            : types.Where(t => string.Equals(t.Name, SubscriptionName, StringComparison.OrdinalIgnoreCase)).ToList();

    private IReadOnlyList<SubscriptionType> Types(bool refresh)
    {
        if (refresh) _typesRefreshed = true;
        return Await(ActiveConnection.SubscriptionTypes.GetAsync(refresh, EngineEvents, CancellationToken));
    }
}

/// <summary>A subscription type name or id that the workspace does not have (or has twice).</summary>
public sealed class SubscriptionTypeResolutionException : Exception
{
    public SubscriptionTypeResolutionException(string message) : base(message) { }
}

/// <summary>-Consent that contradicts the subscription type's consent model.</summary>
public sealed class ConsentMismatchException : Exception
{
    public ConsentMismatchException(string message) : base(message) { }
}
