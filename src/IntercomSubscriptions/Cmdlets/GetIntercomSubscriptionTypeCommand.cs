using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>Lists the workspace's subscription types, optionally filtered.</summary>
[Cmdlet(VerbsCommon.Get, "IntercomSubscriptionType")]
[OutputType(typeof(SubscriptionType))]
public sealed class GetIntercomSubscriptionTypeCommand : IntercomConnectedCmdlet
{
    private readonly List<string> _ids = new();
    private readonly List<string> _names = new();

    /// <summary>The subscription type ids, e.g. 108.</summary>
    /// <remarks>
    /// No validation attribute: the binder would refuse a piped object with a bad id before the cmdlet
    /// sees it, under its own error id. A bad id is checked here instead: typed, it ends the command
    /// before any request; piped, it is that object's error.
    /// </remarks>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("SubscriptionId", "subscription_id")]
    [ArgumentCompleter(typeof(SubscriptionIdCompleter))]
    public string[]? Id { get; set; }

    /// <summary>The default translation's name; wildcards allowed. Given by position, a number is taken as an id.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SubscriptionNameCompleter))]
    public string? Name { get; set; }

    [Parameter]
    [ValidateSet("opt_in", "opt_out")]
    public string? ConsentType { get; set; }

    [Parameter]
    [ValidateSet("live", "draft", "archived")]
    public string? State { get; set; }

    /// <summary>
    /// A value piped in as it came: a plain id or name ('108','109' | Get-IntercomSubscriptionType).
    /// Hidden: objects with an Id or SubscriptionId bind to -Id by property name.
    /// </summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    protected override void BeginProcessing()
    {
        foreach (var id in MyInvocation.BoundParameters.ContainsKey(nameof(Id)) ? Id ?? Array.Empty<string>() : Array.Empty<string>())
        {
            if (CellValue.Clean(id) is { } clean && ColumnValueRules.SubscriptionIdProblem(clean) is { } problem)
                ThrowTerminatingError(IntercomErrors.InvalidArgument($"Cannot validate argument on parameter '{nameof(Id)}'. {problem}", id, ErrorIds.InvalidArgument, ErrorCategory.InvalidData));
        }
        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        if (Id is not null)
        {
            foreach (var id in Id)
            {
                if (CellValue.Clean(id) is not { } clean) continue;
                if (ColumnValueRules.SubscriptionIdProblem(clean) is { } problem)
                    WriteError(IntercomErrors.InvalidArgument(problem, InputObject ?? (object)clean));
                else
                    _ids.Add(clean);
            }
            return;
        }
        if (InputObject?.BaseObject is string piped && CellValue.Clean(piped) is { } value)
            AddIdOrName(value);
        // Anything else piped names no type, and selects none (not "every type").
    }

    protected override void EndProcessing()
    {
        // Get-IntercomSubscriptionType 108: a number given as the positional argument is an id.
        var namePattern = Name;
        if (Name is not null && IsId(Name))
        {
            _ids.Add(Name);
            namePattern = null;
        }
        // Piped input that named nothing, or an empty pipeline, selects nothing.
        if (MyInvocation.ExpectingInput && _ids.Count == 0 && _names.Count == 0)
            return;

        // Not paginated: one request gets every type. An explicit listing refreshes the cache.
        var types = Await(ActiveConnection.SubscriptionTypes.GetAsync(refresh: true, EngineEvents, CancellationToken));
        IEnumerable<SubscriptionType> selected = types;
        foreach (var missing in _ids.Where(id => !types.Any(t => t.Id == id)))
        {
            WriteError(IntercomErrors.ToErrorRecord(new SubscriptionTypeResolutionException($"No subscription type has the id '{missing}'."), missing));
        }
        if (_ids.Count > 0 || _names.Count > 0)
        {
            var patterns = _names.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
            selected = selected.Where(t => _ids.Contains(t.Id) || patterns.Any(p => p.IsMatch(t.Name ?? "")));
        }
        if (namePattern is not null)
        {
            var pattern = new WildcardPattern(namePattern, WildcardOptions.IgnoreCase);
            selected = selected.Where(t => pattern.IsMatch(t.Name ?? ""));
        }
        if (ConsentType is not null) selected = selected.Where(t => string.Equals(t.ConsentType, ConsentType, StringComparison.OrdinalIgnoreCase));
        if (State is not null) selected = selected.Where(t => string.Equals(t.State, State, StringComparison.OrdinalIgnoreCase));
        foreach (var type in selected)
            WriteObject(type);
    }

    /// <summary>A number is an id (108); anything else a name, wildcards allowed.</summary>
    private void AddIdOrName(string value)
    {
        if (IsId(value))
            _ids.Add(value);
        else
            _names.Add(value);
    }

    private static bool IsId(string value) => value.All(c => c is >= '0' and <= '9');
}
