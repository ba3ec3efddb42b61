using System.Text;
using System.Xml;

namespace IntercomSubscriptions.HelpBuilder;

/// <summary>
/// Writes cmdlet help as MAML, the XML Get-Help reads from &lt;ModuleBase&gt;/&lt;culture&gt;/&lt;Assembly&gt;.dll-Help.xml,
/// in the shape platyPS's New-ExternalHelp produces.
/// </summary>
internal static class MamlWriter
{
    private const string Msh = "http://msh";
    private const string Maml = "http://schemas.microsoft.com/maml/2004/10";
    private const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    private const string MsHelp = "http://msdn.microsoft.com/mshelp";

    public static string Write(IEnumerable<CommandHelp> commands)
    {
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", Encoding = new UTF8Encoding(false), NewLineChars = "\n" };
        using var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("helpItems", Msh);
            xml.WriteAttributeString("schema", "maml");
            foreach (var command in commands.OrderBy(c => c.Name, StringComparer.Ordinal))
                WriteCommand(xml, command);
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteCommand(XmlWriter xml, CommandHelp help)
    {
        xml.WriteStartElement("command", "command", Command);
        xml.WriteAttributeString("xmlns", "maml", null, Maml);
        xml.WriteAttributeString("xmlns", "command", null, Command);
        xml.WriteAttributeString("xmlns", "dev", null, Dev);
        xml.WriteAttributeString("xmlns", "MSHelp", null, MsHelp);

        var dash = help.Name.IndexOf('-');
        xml.WriteStartElement("details", Command);
        xml.WriteElementString("name", Command, help.Name);
        xml.WriteElementString("verb", Command, dash > 0 ? help.Name[..dash] : help.Name);
        xml.WriteElementString("noun", Command, dash > 0 ? help.Name[(dash + 1)..] : "");
        WriteDescription(xml, help.Synopsis);
        xml.WriteEndElement();

        WriteDescription(xml, help.Description);

        xml.WriteStartElement("syntax", Command);
        foreach (var set in help.Syntax)
        {
            xml.WriteStartElement("syntaxItem", Command);
            xml.WriteElementString("name", Maml, help.Name);
            // The order the page's syntax line shows: positional parameters first, as PowerShell itself lists them.
            foreach (var name in set.ParameterOrder)
            {
                var parameter = help.Parameters.First(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
                WriteParameter(xml, parameter, parameter.For(set.Name)!, inSyntax: true);
            }
            xml.WriteEndElement();
        }
        xml.WriteEndElement();

        xml.WriteStartElement("parameters", Command);
        foreach (var parameter in help.Parameters)
            WriteParameter(xml, parameter, parameter.Details[0], inSyntax: false);
        xml.WriteEndElement();

        WriteTypes(xml, "inputTypes", "inputType", help.Inputs);
        WriteTypes(xml, "returnValues", "returnValue", help.Outputs);

        xml.WriteStartElement("alertSet", Maml);
        xml.WriteStartElement("alert", Maml);
        foreach (var note in help.Notes) xml.WriteElementString("para", Maml, note);
        xml.WriteEndElement();
        xml.WriteEndElement();

        xml.WriteStartElement("examples", Command);
        foreach (var example in help.Examples)
        {
            xml.WriteStartElement("example", Command);
            xml.WriteElementString("title", Maml, $"---------- {example.Title} ----------");
            xml.WriteElementString("code", Dev, example.Code);
            xml.WriteStartElement("remarks", Dev);
            foreach (var remark in example.Remarks) xml.WriteElementString("para", Maml, remark);
            xml.WriteEndElement();
            xml.WriteEndElement();
        }
        xml.WriteEndElement();

        xml.WriteStartElement("relatedLinks", Command);
        if (help.OnlineVersion is { } online)
            WriteLink(xml, new LinkHelp("Online Version:", online));
        foreach (var link in help.RelatedLinks)
            WriteLink(xml, link);
        xml.WriteEndElement();

        xml.WriteEndElement();
    }

    private static void WriteParameter(XmlWriter xml, ParameterHelp parameter, ParameterSetDetails details, bool inSyntax)
    {
        xml.WriteStartElement("parameter", Command);
        xml.WriteAttributeString("required", details.Required ? "true" : "false");
        xml.WriteAttributeString("variableLength", "true");
        xml.WriteAttributeString("globbing", details.Globbing ? "true" : "false");
        xml.WriteAttributeString("pipelineInput", details.PipelineInput);
        xml.WriteAttributeString("position", string.Equals(details.Position, "Named", StringComparison.OrdinalIgnoreCase) ? "named" : details.Position);
        xml.WriteAttributeString("aliases", details.Aliases.Count == 0 ? "none" : string.Join(", ", details.Aliases));
        xml.WriteElementString("name", Maml, parameter.Name);
        WriteDescription(xml, parameter.Description);
        if (details.AcceptedValues.Count > 0)
        {
            // Get-Help shows these as -Name {a | b} in the syntax.
            xml.WriteStartElement("parameterValueGroup", Command);
            foreach (var value in details.AcceptedValues)
            {
                xml.WriteStartElement("parameterValue", Command);
                xml.WriteAttributeString("required", "false");
                xml.WriteAttributeString("command", "variableLength", Command, "false");
                xml.WriteString(value);
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
        }
        // A switch takes no value: in the syntax it is just [-Name].
        if (!(inSyntax && (details.IsSwitch || details.AcceptedValues.Count > 0)))
        {
            xml.WriteStartElement("parameterValue", Command);
            xml.WriteAttributeString("required", details.IsSwitch ? "false" : "true");
            xml.WriteAttributeString("variableLength", "false");
            xml.WriteString(details.Type);
            xml.WriteEndElement();
        }
        xml.WriteStartElement("type", Dev);
        xml.WriteElementString("name", Maml, details.Type);
        xml.WriteElementString("uri", Maml, "");
        xml.WriteEndElement();
        xml.WriteElementString("defaultValue", Dev, details.DefaultValue);
        xml.WriteEndElement();
    }

    private static void WriteTypes(XmlWriter xml, string listElement, string itemElement, IReadOnlyList<TypeHelp> types)
    {
        xml.WriteStartElement(listElement, Command);
        foreach (var type in types)
        {
            xml.WriteStartElement(itemElement, Command);
            xml.WriteStartElement("type", Dev);
            xml.WriteElementString("name", Maml, type.TypeName);
            xml.WriteEndElement();
            WriteDescription(xml, type.Description);
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
    }

    private static void WriteLink(XmlWriter xml, LinkHelp link)
    {
        xml.WriteStartElement("navigationLink", Maml);
        xml.WriteElementString("linkText", Maml, link.Text);
        xml.WriteElementString("uri", Maml, link.Uri);
        xml.WriteEndElement();
    }

    private static void WriteDescription(XmlWriter xml, IEnumerable<string> paragraphs)
    {
        xml.WriteStartElement("description", Maml);
        foreach (var paragraph in paragraphs) xml.WriteElementString("para", Maml, paragraph);
        xml.WriteEndElement();
    }
}
