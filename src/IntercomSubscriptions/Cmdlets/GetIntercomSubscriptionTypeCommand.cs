using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>Lists the workspace's subscription types, optionally filtered.</summary>
[Cmdlet(VerbsCommon.Get, "IntercomSubscriptionType")]
[OutputType(typeof(SubscriptionType))]
public sealed class GetIntercomSubscriptionTypeCommand : IntercomConnectedCmdlet
{
    private readonly List<string> _ids = new();

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("SubscriptionId", "subscription_id")]
    [ValidateSubscriptionTypeId]
    public string[]? Id { get; set; }

    /// <summary>The default translation's name; wildcards allowed.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    [ValidateSet("opt_in", "opt_out")]
    public string? ConsentType { get; set; }

    [Parameter]
    [ValidateSet("live", "draft", "archived")]
    public string? State { get; set; }

    protected override void ProcessRecord()
    {
        if (Id is not null) _ids.AddRange(Id);
    }

    protected override void EndProcessing()
    {
        // Not paginated: one request gets every type. An explicit listing refreshes the cache.
        var types = Await(ActiveConnection.SubscriptionTypes.GetAsync(refresh: true, EngineEvents, CancellationToken));
        var name = Name is null ? null : new WildcardPattern(Name, WildcardOptions.IgnoreCase);
        IEnumerable<SubscriptionType> selected = types;
        if (_ids.Count > 0)
        {
            foreach (var missing in _ids.Where(id => !types.Any(t => t.Id == id)))
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"No subscription type has the id '{missing}'."),
                    "IntercomSubscriptionTypeNotFound", ErrorCategory.ObjectNotFound, missing));
            }
            selected = selected.Where(t => _ids.Contains(t.Id));
        }
        if (name is not null) selected = selected.Where(t => name.IsMatch(t.Name ?? ""));
        if (ConsentType is not null) selected = selected.Where(t => string.Equals(t.ConsentType, ConsentType, StringComparison.OrdinalIgnoreCase));
        if (State is not null) selected = selected.Where(t => string.Equals(t.State, State, StringComparison.OrdinalIgnoreCase));
        foreach (var type in selected)
            WriteObject(type);
    }
}
