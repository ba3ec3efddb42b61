using System.Text.RegularExpressions;

namespace IntercomSubscriptions.HelpBuilder;

/// <summary>A page that does not follow the platyPS schema; carries the file and line for an MSBuild-style error.</summary>
internal sealed class HelpFormatException(string file, int line, string message) : Exception(message)
{
    public string File { get; } = file;
    public int Line { get; } = line;
}

/// <summary>
/// Reads one cmdlet page in platyPS's markdown schema (front matter, # Name, ## SYNOPSIS … ## RELATED LINKS).
/// Strict on purpose: a page Get-Help would show half-empty fails the build instead.
/// </summary>
internal static partial class MarkdownHelpParser
{
    private static readonly string[] RequiredSections =
        ["SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS"];

    private static readonly string[] RequiredYamlKeys =
        ["Type", "Parameter Sets", "Aliases", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters"];

    private enum NodeKind { Heading, Code, Text, Blank }

    private sealed record Node(NodeKind Kind, int Line, string Text, int Level = 0, string Language = "");

    public static CommandHelp Parse(string path)
    {
        var lines = File.ReadAllLines(path);
        var (metadata, bodyStart) = ReadFrontMatter(path, lines);
        var nodes = Tokenize(path, lines, bodyStart);

        var title = nodes.FirstOrDefault(n => n.Kind == NodeKind.Heading && n.Level == 1)
            ?? throw new HelpFormatException(path, 1, "the page has no '# Cmdlet-Name' heading.");
        var expectedName = Path.GetFileNameWithoutExtension(path);
        if (!string.Equals(title.Text, expectedName, StringComparison.Ordinal))
            throw new HelpFormatException(path, title.Line, $"the heading '# {title.Text}' does not match the file name '{expectedName}'.");
        foreach (var key in new[] { "external help file", "Module Name" })
        {
            if (!metadata.TryGetValue(key, out var value) || value.Length == 0)
                throw new HelpFormatException(path, 1, $"the front matter has no '{key}'.");
        }

        var sections = SplitSections(path, nodes);
        foreach (var required in RequiredSections)
        {
            if (!sections.ContainsKey(required))
                throw new HelpFormatException(path, title.Line, $"the page has no '## {required}' section.");
        }

        var synopsis = Paragraphs(sections["SYNOPSIS"].Nodes);
        if (synopsis.Count == 0)
            throw new HelpFormatException(path, sections["SYNOPSIS"].Line, "SYNOPSIS is empty.");
        var description = Paragraphs(sections["DESCRIPTION"].Nodes);
        if (description.Count == 0)
            throw new HelpFormatException(path, sections["DESCRIPTION"].Line, "DESCRIPTION is empty.");

        var help = new CommandHelp
        {
            Name = title.Text,
            SourceFile = path,
            Metadata = metadata,
            Synopsis = synopsis,
            Syntax = ReadSyntax(path, sections["SYNTAX"]),
            Description = description,
            Examples = ReadExamples(path, sections["EXAMPLES"]),
            Parameters = ReadParameters(path, sections["PARAMETERS"]),
            Inputs = ReadTypes(sections["INPUTS"]),
            Outputs = ReadTypes(sections["OUTPUTS"]),
            Notes = Paragraphs(sections["NOTES"].Nodes),
            RelatedLinks = ReadLinks(sections["RELATED LINKS"]),
        };
        CheckSyntaxAgainstParameters(help, sections["SYNTAX"].Line);
        return help;
    }

    private static (Dictionary<string, string> Metadata, int BodyStart) ReadFrontMatter(string path, string[] lines)
    {
        if (lines.Length == 0 || lines[0].Trim() != "---")
            throw new HelpFormatException(path, 1, "the page must start with YAML front matter ('---').");
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim() == "---")
                return (metadata, i + 1);
            var colon = lines[i].IndexOf(':');
            if (colon > 0)
                metadata[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
        }
        throw new HelpFormatException(path, 1, "the front matter is not closed with '---'.");
    }

    private static List<Node> Tokenize(string path, string[] lines, int start)
    {
        var nodes = new List<Node>();
        for (var i = start; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                var fenceLine = i + 1;
                var language = trimmed[3..].Trim();
                var code = new List<string>();
                for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
                    code.Add(lines[i]);
                if (i >= lines.Length)
                    throw new HelpFormatException(path, fenceLine, "a code block is not closed with ```.");
                nodes.Add(new Node(NodeKind.Code, fenceLine, string.Join("\n", code), Language: language));
            }
            else if (HeadingPattern().Match(line) is { Success: true } heading)
            {
                nodes.Add(new Node(NodeKind.Heading, i + 1, heading.Groups["text"].Value.Trim(), heading.Groups["hashes"].Length));
            }
            else
            {
                nodes.Add(new Node(trimmed.Length == 0 ? NodeKind.Blank : NodeKind.Text, i + 1, line.TrimEnd()));
            }
        }
        return nodes;
    }

    private sealed record Section(int Line, List<Node> Nodes);

    private static Dictionary<string, Section> SplitSections(string path, List<Node> nodes)
    {
        var sections = new Dictionary<string, Section>(StringComparer.Ordinal);
        Section? current = null;
        foreach (var node in nodes)
        {
            if (node.Kind == NodeKind.Heading && node.Level == 2)
            {
                if (sections.ContainsKey(node.Text))
                    throw new HelpFormatException(path, node.Line, $"the section '## {node.Text}' appears twice.");
                current = new Section(node.Line, []);
                sections[node.Text] = current;
            }
            else if (node.Kind == NodeKind.Heading && node.Level == 1)
            {
                current = null;
            }
            else
            {
                current?.Nodes.Add(node);
            }
        }
        return sections;
    }

    /// <summary>"### Title" subsections of a section; text before the first one is dropped.</summary>
    private static List<(Node Heading, List<Node> Nodes)> Subsections(Section section)
    {
        var result = new List<(Node, List<Node>)>();
        foreach (var node in section.Nodes)
        {
            if (node.Kind == NodeKind.Heading && node.Level == 3)
                result.Add((node, []));
            else if (result.Count > 0)
                result[^1].Item2.Add(node);
        }
        return result;
    }

    /// <summary>Markdown paragraphs as plain text: lines joined, list items kept apart, inline markup dropped.</summary>
    private static List<string> Paragraphs(IEnumerable<Node> nodes)
    {
        var paragraphs = new List<string>();
        var current = new List<string>();
        void Flush()
        {
            if (current.Count > 0) paragraphs.Add(string.Join(" ", current));
            current.Clear();
        }
        foreach (var node in nodes)
        {
            switch (node.Kind)
            {
                case NodeKind.Text:
                    var text = node.Text.Trim();
                    if (ListItemPattern().IsMatch(text)) Flush();
                    current.Add(Plain(text));
                    break;
                case NodeKind.Code:
                    // A code block inside prose (rare) stays a paragraph of its own, verbatim.
                    Flush();
                    paragraphs.Add(node.Text);
                    break;
                default:
                    Flush();
                    break;
            }
        }
        Flush();
        return paragraphs;
    }

    private static string Plain(string text) =>
        LinkPattern().Replace(text.Replace("**", "").Replace("`", ""), m => m.Groups["uri"].Value.Length == 0
            ? m.Groups["text"].Value
            : $"{m.Groups["text"].Value} ({m.Groups["uri"].Value})");

    private static List<SyntaxSet> ReadSyntax(string path, Section section)
    {
        var sets = new List<SyntaxSet>();
        var subsections = Subsections(section);
        if (subsections.Count == 0)
        {
            // One parameter set: platyPS writes the code block without a "### SetName" heading.
            var code = section.Nodes.FirstOrDefault(n => n.Kind == NodeKind.Code)
                ?? throw new HelpFormatException(path, section.Line, "SYNTAX has no code block.");
            sets.Add(new SyntaxSet("__AllParameterSets", true, SyntaxParameters(code.Text)));
            return sets;
        }
        foreach (var (heading, nodes) in subsections)
        {
            var code = nodes.FirstOrDefault(n => n.Kind == NodeKind.Code)
                ?? throw new HelpFormatException(path, heading.Line, $"the syntax of '{heading.Text}' has no code block.");
            var isDefault = heading.Text.EndsWith("(Default)", StringComparison.Ordinal);
            var name = isDefault ? heading.Text[..^"(Default)".Length].Trim() : heading.Text;
            sets.Add(new SyntaxSet(name, isDefault, SyntaxParameters(code.Text)));
        }
        if (sets.Count > 1 && sets.Count(s => s.IsDefault) != 1)
            throw new HelpFormatException(path, section.Line, "with several parameter sets, exactly one must be marked '(Default)'.");
        return sets;
    }

    private static List<string> SyntaxParameters(string code) =>
        SyntaxParameterPattern().Matches(code).Select(m => m.Groups["name"].Value).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    private static List<ExampleHelp> ReadExamples(string path, Section section)
    {
        var examples = new List<ExampleHelp>();
        foreach (var (heading, nodes) in Subsections(section))
        {
            var code = nodes.Where(n => n.Kind == NodeKind.Code).Select(n => n.Text).ToList();
            if (code.Count == 0)
                throw new HelpFormatException(path, heading.Line, $"'{heading.Text}' has no code block.");
            var remarks = Paragraphs(nodes.Where(n => n.Kind != NodeKind.Code));
            examples.Add(new ExampleHelp(heading.Text, string.Join("\n\n", code), remarks));
        }
        if (examples.Count == 0)
            throw new HelpFormatException(path, section.Line, "EXAMPLES has no '### Example 1: …'.");
        return examples;
    }

    private static List<ParameterHelp> ReadParameters(string path, Section section)
    {
        var parameters = new List<ParameterHelp>();
        foreach (var (heading, nodes) in Subsections(section))
        {
            if (heading.Text == "CommonParameters") continue;
            if (!heading.Text.StartsWith('-'))
                throw new HelpFormatException(path, heading.Line, $"a parameter heading must be '### -Name', not '### {heading.Text}'.");
            var name = heading.Text[1..].Trim();
            var firstYaml = nodes.FindIndex(n => n.Kind == NodeKind.Code && n.Language == "yaml");
            if (firstYaml < 0)
                throw new HelpFormatException(path, heading.Line, $"-{name} has no ```yaml block.");
            var description = Paragraphs(nodes.Take(firstYaml));
            if (description.Count == 0)
                throw new HelpFormatException(path, heading.Line, $"-{name} has no description.");
            var details = nodes.Where(n => n.Kind == NodeKind.Code && n.Language == "yaml")
                .Select(n => ReadParameterYaml(path, n, name))
                .ToList();
            parameters.Add(new ParameterHelp(name, description, details));
        }
        return parameters;
    }

    private static ParameterSetDetails ReadParameterYaml(string path, Node yaml, string parameter)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in yaml.Text.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon > 0) values[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        foreach (var key in RequiredYamlKeys)
        {
            if (!values.ContainsKey(key))
                throw new HelpFormatException(path, yaml.Line, $"the yaml block of -{parameter} has no '{key}:'.");
        }
        static List<string> List(string? text) =>
            string.IsNullOrWhiteSpace(text) ? [] : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        bool Flag(string key) => values[key].ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw new HelpFormatException(path, yaml.Line, $"-{parameter}: '{key}' must be True or False, not '{values[key]}'."),
        };
        return new ParameterSetDetails(
            Type: values["Type"],
            ParameterSets: List(values["Parameter Sets"]),
            Aliases: List(values["Aliases"]),
            AcceptedValues: List(values.GetValueOrDefault("Accepted values")),
            Required: Flag("Required"),
            Position: values["Position"],
            DefaultValue: values["Default value"],
            PipelineInput: values["Accept pipeline input"],
            Globbing: Flag("Accept wildcard characters"));
    }

    private static List<TypeHelp> ReadTypes(Section section) =>
        Subsections(section).Select(s => new TypeHelp(s.Heading.Text, Paragraphs(s.Nodes))).ToList();

    private static List<LinkHelp> ReadLinks(Section section)
    {
        var links = new List<LinkHelp>();
        foreach (var node in section.Nodes.Where(n => n.Kind == NodeKind.Text))
        {
            var match = LinkPattern().Match(node.Text);
            links.Add(match.Success
                ? new LinkHelp(match.Groups["text"].Value, match.Groups["uri"].Value)
                : new LinkHelp(node.Text.Trim(), ""));
        }
        return links;
    }

    /// <summary>SYNTAX and PARAMETERS must tell the same story, or Get-Help's two views would disagree.</summary>
    private static void CheckSyntaxAgainstParameters(CommandHelp help, int syntaxLine)
    {
        var file = help.SourceFile;
        var setNames = help.Syntax.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in help.Parameters)
        {
            foreach (var set in parameter.Details.SelectMany(d => d.ParameterSets).Where(s => s != "(All)"))
            {
                if (!setNames.Contains(set))
                    throw new HelpFormatException(file, syntaxLine, $"-{parameter.Name} names the parameter set '{set}', which SYNTAX does not show.");
            }
        }
        foreach (var set in help.Syntax)
        {
            foreach (var name in set.ParameterOrder)
            {
                var parameter = help.Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
                    ?? throw new HelpFormatException(file, syntaxLine, $"SYNTAX shows -{name}, which PARAMETERS does not document.");
                if (parameter.For(set.Name) is null)
                    throw new HelpFormatException(file, syntaxLine, $"SYNTAX shows -{name} in '{set.Name}', but its yaml does not list that parameter set.");
            }
            foreach (var parameter in help.Parameters.Where(p => p.For(set.Name) is not null))
            {
                if (!set.ParameterOrder.Contains(parameter.Name, StringComparer.OrdinalIgnoreCase))
                    throw new HelpFormatException(file, syntaxLine, $"-{parameter.Name} belongs to '{set.Name}', but that syntax line does not show it.");
            }
        }
    }

    [GeneratedRegex(@"^(?<hashes>#{1,6})\s+(?<text>.+)$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"^([-*+]|\d+\.)\s")]
    private static partial Regex ListItemPattern();

    [GeneratedRegex(@"\[(?<text>[^\]]+)\]\((?<uri>[^)\s]*)\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"(?<=[\[\s])-(?<name>[A-Za-z][A-Za-z0-9_]*)")]
    private static partial Regex SyntaxParameterPattern();
}
