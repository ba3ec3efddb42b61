using System.Text;
using IntercomSubscriptions.HelpBuilder;

// Usage: HelpBuilder <docs/en-US> <output folder> [<output folder> …]
// Writes every MAML file the pages name (front matter "external help file") and copies the
// about_*.help.txt topics into each output folder. Files are rewritten only when their content
// changes, so an unchanged build leaves them (and what depends on their time stamps) alone.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: HelpBuilder <docs folder> <output folder> [<output folder> ...]");
    return 2;
}

var docs = Path.GetFullPath(args[0]);
var outputs = args.Skip(1).Select(Path.GetFullPath).ToList();
if (!Directory.Exists(docs))
{
    Console.Error.WriteLine($"{docs}: error HELP001: the docs folder does not exist.");
    return 1;
}

var pages = Directory.GetFiles(docs, "*.md")
    .Where(f => !Path.GetFileName(f).StartsWith("about_", StringComparison.OrdinalIgnoreCase))
    .Order(StringComparer.Ordinal)
    .ToList();
var commands = new List<CommandHelp>();
var failed = false;
foreach (var page in pages)
{
    try
    {
        commands.Add(MarkdownHelpParser.Parse(page));
    }
    catch (HelpFormatException ex)
    {
        // MSBuild's canonical error format, so the Exec task reports it as a build error at that line.
        Console.Error.WriteLine($"{ex.File}({ex.Line}): error HELP002: {ex.Message}");
        failed = true;
    }
}
if (failed) return 1;
if (commands.Count == 0)
{
    Console.Error.WriteLine($"{docs}: error HELP003: no cmdlet pages (*.md) found.");
    return 1;
}

var topics = Directory.GetFiles(docs, "about_*.help.txt").Order(StringComparer.Ordinal).ToList();
foreach (var output in outputs)
{
    Directory.CreateDirectory(output);
    foreach (var group in commands.GroupBy(c => c.HelpFileName, StringComparer.OrdinalIgnoreCase))
        WriteIfChanged(Path.Combine(output, group.Key), MamlWriter.Write(group));
    foreach (var topic in topics)
        WriteIfChanged(Path.Combine(output, Path.GetFileName(topic)), File.ReadAllText(topic));
}
Console.WriteLine($"HelpBuilder: {commands.Count} cmdlet pages and {topics.Count} about topics -> {string.Join(", ", outputs)}");
return 0;

static void WriteIfChanged(string path, string content)
{
    if (File.Exists(path) && File.ReadAllText(path) == content) return;
    File.WriteAllText(path, content, new UTF8Encoding(false));
}
