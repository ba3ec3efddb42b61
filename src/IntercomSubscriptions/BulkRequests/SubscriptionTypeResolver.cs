using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// Which subscription type a record names, by id or by name, from the connection's cached list;
/// on a miss the list is fetched again, once per run.
/// </summary>
internal sealed class SubscriptionTypeResolver
{
    private readonly Func<bool, IReadOnlyList<SubscriptionType>> _types;
    private readonly Action<ErrorRecord> _writeError;
    private bool _refreshed;

    /// <param name="types">The workspace's types, fetched again when the argument is true (the cmdlet awaits the connection's cache).</param>
    public SubscriptionTypeResolver(Func<bool, IReadOnlyList<SubscriptionType>> types, Action<ErrorRecord> writeError)
    {
        _types = types;
        _writeError = writeError;
    }

    /// <summary>
    /// The subscription type this record names. Null with the record's error written when it names
    /// none, or an unknown one. An id missing from the list is still returned (as a bare type) when
    /// <paramref name="idMayBeUnknown"/>: Intercom then decides, and says "Resource Not Found" if it
    /// really is unknown.
    /// </summary>
    public SubscriptionType? Resolve(string? subscriptionId, string? subscriptionName, bool idMayBeUnknown, PSObject? inputObject)
    {
        if (subscriptionId is null && subscriptionName is null)
        {
            _writeError(IntercomErrors.InvalidArgument(
                "The input names no subscription type. Give SubscriptionId (or subscription_id, SubscriptionTypeId) or SubscriptionName.",
                inputObject, ErrorIds.SubscriptionColumnMissing));
            return null;
        }
        var types = Fetch(refresh: false, subscriptionId, subscriptionName, inputObject);
        if (types is null) return null;
        var found = Find(types, subscriptionId, subscriptionName);
        if (found.Count == 0 && !_refreshed)
        {
            _refreshed = true;
            types = Fetch(refresh: true, subscriptionId, subscriptionName, inputObject);
            if (types is null) return null;
            found = Find(types, subscriptionId, subscriptionName);
        }
        if (found.Count == 1)
            return subscriptionId is not null && subscriptionName is not null ? Agreeing(found[0], subscriptionName, types, inputObject) : found[0];
        if (found.Count == 0 && subscriptionId is not null && idMayBeUnknown)
            return new SubscriptionType { Id = subscriptionId };

        var choices = string.Join(", ", types.Select(t => $"{t.Id} '{t.Name}'"));
        var message = found.Count == 0
            ? subscriptionId is not null
                ? $"No subscription type has the id '{subscriptionId}'. The workspace has: {choices}."
                : $"No subscription type is named '{subscriptionName}'. The workspace has: {choices}."
            : $"{found.Count} subscription types are named '{subscriptionName}': {string.Join(", ", found.Select(t => $"{t.Id} ({t.State}, {t.ConsentType})"))}. Give one with -SubscriptionId.";
        _writeError(IntercomErrors.ToErrorRecord(new SubscriptionTypeResolutionException(message), inputObject ?? (object?)subscriptionId ?? subscriptionName));
        return null;
    }

    /// <summary>
    /// The workspace's types, or null with this record's error written when they cannot be had: a
    /// failed fetch is one record's failure, never the end of the run (the next record tries again).
    /// PowerShell's own exceptions (a stop, -ErrorAction Stop) pass through.
    /// </summary>
    private IReadOnlyList<SubscriptionType>? Fetch(bool refresh, string? subscriptionId, string? subscriptionName, PSObject? inputObject)
    {
        try
        {
            return _types(refresh);
        }
        catch (Exception ex) when (ex is not RuntimeException and not OperationCanceledException)
        {
            _writeError(IntercomErrors.ToErrorRecord(ex, inputObject ?? (object?)subscriptionId ?? subscriptionName,
                "Could not read the workspace's subscription types"));
            return null;
        }
    }

    /// <summary>A record naming the type by id and by name gets it only when both name the same type; otherwise an error naming both.</summary>
    private SubscriptionType? Agreeing(SubscriptionType byId, string subscriptionName, IReadOnlyList<SubscriptionType> types, PSObject? inputObject)
    {
        if (string.Equals(byId.Name, subscriptionName, StringComparison.OrdinalIgnoreCase))
            return byId;
        var named = Find(types, null, subscriptionName);
        var message = $"The input names subscription type {byId.Id} ('{byId.Name}') and the name '{subscriptionName}'"
            + (named.Count == 0 ? ", which no type has." : $", which is {string.Join(", ", named.Select(t => t.Id))}.")
            + " Give one of them, or make them agree.";
        _writeError(IntercomErrors.InvalidArgument(message, inputObject ?? (object)byId.Id, ErrorIds.SubscriptionTypeConflict));
        return null;
    }

    private static List<SubscriptionType> Find(IReadOnlyList<SubscriptionType> types, string? subscriptionId, string? subscriptionName) =>
        subscriptionId is not null
            ? types.Where(t => t.Id == subscriptionId).ToList()
            : types.Where(t => string.Equals(t.Name, subscriptionName, StringComparison.OrdinalIgnoreCase)).ToList();
}
