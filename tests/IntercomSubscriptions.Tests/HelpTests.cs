namespace IntercomSubscriptions.Tests;

/// <summary>
/// Get-Help answers for every cmdlet the module exports, from the MAML the build generates out of
/// docs/en-US. Checked from the code's side: every parameter a cmdlet really has (less the common
/// ones and hidden ones) must have a description, so a parameter added without docs fails here.
/// </summary>
public sealed class HelpTests
{
    public static TheoryData<string> ImportPaths => new() { "repo-root manifest", "out/ manifest" };

    private static PowerShellSession SessionImportedBy(string importPath)
    {
        var manifest = importPath == "repo-root manifest"
            ? PowerShellSession.ManifestPath
            : Path.Combine(PowerShellSession.RepositoryRoot, "out", "IntercomSubscriptions", "IntercomSubscriptions.psd1");
        var session = new PowerShellSession(importModule: false);
        var result = session.Run("Import-Module $manifest -ErrorAction Stop", new() { ["manifest"] = manifest });
        Assert.Empty(result.Errors);
        return session;
    }

    // Runs in the hosted engine and returns one line per problem; the parameters come from
    // Get-Command (what the cmdlet really binds), never from the help itself.
    private const string FindHelpProblems = """
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        $module = Get-Module IntercomSubscriptions
        foreach ($name in @($module.ExportedCmdlets.Keys)) {
            $help = Get-Help $name -Full
            $synopsis = "$($help.Synopsis)".Trim()
            # Without MAML, PowerShell makes up a synopsis from the syntax: "Name [-Param] ...".
            if (-not $synopsis -or $synopsis.StartsWith($name)) { "${name}: no synopsis (Get-Help shows '$synopsis')" }
            if (-not (@($help.description | ForEach-Object { $_.Text }) -join '').Trim()) { "${name}: no description" }
            $examples = @($help.examples.example | Where-Object { "$($_.code)".Trim() })
            if ($examples.Count -lt 1) { "${name}: no example with code" }
            $documented = @{}
            foreach ($p in @($help.parameters.parameter)) {
                if (-not $p.name) { continue }  # a cmdlet without parameters has none to list
                $documented[$p.name] = (@($p.description | ForEach-Object { $_.Text }) -join ' ').Trim()
            }
            foreach ($parameter in (Get-Command $name).Parameters.Values) {
                if ($common -contains $parameter.Name) { continue }
                $hidden = @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.DontShow }).Count -gt 0
                if ($hidden) { continue }
                if (-not $documented.ContainsKey($parameter.Name)) { "${name}: -$($parameter.Name) is not documented"; continue }
                if (-not $documented[$parameter.Name]) { "${name}: -$($parameter.Name) has an empty description" }
                # Get-Help shows the aliases the help file lists: they must be the ones the cmdlet binds.
                $helpAliases = @($help.parameters.parameter | Where-Object name -eq $parameter.Name)[0].aliases
                $listed = @("$helpAliases" -split ',\s*' | Where-Object { $_ -and $_ -ne 'none' }) -join ', '
                $real = @($parameter.Aliases) -join ', '
                if ($listed -ne $real) { "${name}: -$($parameter.Name)'s help lists the aliases '$listed', the cmdlet has '$real'" }
            }
        }
        """;

    [Theory]
    [MemberData(nameof(ImportPaths))]
    public void Every_exported_cmdlet_has_a_synopsis_a_description_examples_and_every_parameter_documented(string importPath)
    {
        using var session = SessionImportedBy(importPath);

        var exported = session.Run("@((Get-Module IntercomSubscriptions).ExportedCmdlets.Keys)");
        var result = session.Run(FindHelpProblems);

        Assert.Empty(result.Errors);
        Assert.Equal(9, exported.Output.Count);
        Assert.Equal(Array.Empty<string>(), result.Output.Select(o => o.ToString()).ToArray());
    }

    [Theory]
    [MemberData(nameof(ImportPaths))]
    public void Help_shows_the_documented_examples_and_parameter_details(string importPath)
    {
        using var session = SessionImportedBy(importPath);

        var result = session.Run("""
            $help = Get-Help Add-IntercomContactSubscription -Full
            @($help.examples.example)[0].code
            $contactId = @($help.parameters.parameter | Where-Object name -eq 'ContactId')[0]
            $contactId.required
            $contactId.pipelineInput
            $contactId.aliases
            @($help.syntax.syntaxItem).Count
            """);

        Assert.Empty(result.Errors);
        var lines = result.Output.Select(o => o.ToString()).ToList();
        Assert.Contains("Import-Csv contacts.csv | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in", lines[0]);
        Assert.Equal("false", lines[1]);   // -Email or -ExternalId may name the contact instead
        Assert.Equal("True (ByPropertyName)", lines[2]);
        Assert.Contains("contact_id", lines[3]);
        Assert.Equal("1", lines[4]);       // one parameter set: a row's columns decide, not the binder
    }

    [Theory]
    [MemberData(nameof(ImportPaths))]
    public void About_topic_answers(string importPath)
    {
        using var session = SessionImportedBy(importPath);

        var result = session.Run("Get-Help about_IntercomSubscriptions");

        Assert.Empty(result.Errors);
        var text = string.Join("\n", result.Output.Select(o => o.ToString()));
        Assert.Contains("about_IntercomSubscriptions", text);
        Assert.Contains("X-RateLimit-Remaining", text);
        Assert.Contains("Get-AutomationPSCredential -Name Intercom", text);
    }
}
