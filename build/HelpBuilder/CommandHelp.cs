namespace IntercomSubscriptions.HelpBuilder;

/// <summary>One cmdlet's help page, as the platyPS markdown schema describes it.</summary>
internal sealed class CommandHelp
{
    public required string Name { get; init; }
    public required string SourceFile { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    public required IReadOnlyList<string> Synopsis { get; init; }
    public required IReadOnlyList<SyntaxSet> Syntax { get; init; }
    public required IReadOnlyList<string> Description { get; init; }
    public required IReadOnlyList<ExampleHelp> Examples { get; init; }
    public required IReadOnlyList<ParameterHelp> Parameters { get; init; }
    public required IReadOnlyList<TypeHelp> Inputs { get; init; }
    public required IReadOnlyList<TypeHelp> Outputs { get; init; }
    public required IReadOnlyList<string> Notes { get; init; }
    public required IReadOnlyList<LinkHelp> RelatedLinks { get; init; }

    public string HelpFileName => Metadata.TryGetValue("external help file", out var file) ? file : "";
    public string? OnlineVersion => Metadata.TryGetValue("online version", out var uri) && uri.Length > 0 ? uri : null;
}

/// <summary>A "### SetName (Default)" entry of SYNTAX: its name and the parameter names its code block shows, in order.</summary>
internal sealed record SyntaxSet(string Name, bool IsDefault, IReadOnlyList<string> ParameterOrder);

internal sealed record ExampleHelp(string Title, string Code, IReadOnlyList<string> Remarks);

/// <summary>A "### -Name" entry: its description and one yaml block per group of parameter sets.</summary>
internal sealed record ParameterHelp(string Name, IReadOnlyList<string> Description, IReadOnlyList<ParameterSetDetails> Details)
{
    public ParameterSetDetails? For(string setName) =>
        Details.FirstOrDefault(d => d.ParameterSets.Contains(setName, StringComparer.OrdinalIgnoreCase))
        ?? Details.FirstOrDefault(d => d.AppliesToAllSets);
}

/// <summary>One yaml block of a parameter (Type, Parameter Sets, Aliases, Required, Position, …).</summary>
internal sealed record ParameterSetDetails(
    string Type,
    IReadOnlyList<string> ParameterSets,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string> AcceptedValues,
    bool Required,
    string Position,
    string DefaultValue,
    string PipelineInput,
    bool Globbing)
{
    public bool AppliesToAllSets => ParameterSets.Count == 1 && ParameterSets[0] == "(All)";
    public bool IsSwitch => Type is "SwitchParameter" or "System.Management.Automation.SwitchParameter";
}

internal sealed record TypeHelp(string TypeName, IReadOnlyList<string> Description);

internal sealed record LinkHelp(string Text, string Uri);
