using System.IO.Compression;
using FakeIntercom;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// What the build hands to users: out/IntercomSubscriptions/ (for Publish-PSResource) and
/// out/IntercomSubscriptions.zip (for Azure Automation's module import).
/// </summary>
public sealed class PackagingTests
{
    private static readonly string Layout = Path.Combine(PowerShellSession.RepositoryRoot, "out", "IntercomSubscriptions");
    private static readonly string PublishedManifest = Path.Combine(Layout, "IntercomSubscriptions.psd1");

    private static readonly string[] Cmdlets =
    [
        "Add-IntercomContactSubscription", "Connect-Intercom", "Disconnect-Intercom", "Get-IntercomConnection",
        "Get-IntercomContactSubscription", "Get-IntercomJournal", "Get-IntercomSubscriptionType", "Remove-IntercomContactSubscription",
        "Set-IntercomContactSubscription",
    ];

    [Fact]
    public void Zip_holds_the_module_folder_at_its_root_and_never_System_Management_Automation()
    {
        using var zip = ZipFile.OpenRead(Path.Combine(PowerShellSession.RepositoryRoot, "out", "IntercomSubscriptions.zip"));
        var entries = zip.Entries.Where(e => e.Name.Length > 0).Select(e => e.FullName).ToList();

        Assert.All(entries, e => Assert.StartsWith("IntercomSubscriptions/", e));
        Assert.DoesNotContain(entries, e => e.Contains('\\'));
        Assert.Contains("IntercomSubscriptions/IntercomSubscriptions.psd1", entries);
        Assert.Contains("IntercomSubscriptions/IntercomSubscriptions.dll", entries);
        Assert.Contains("IntercomSubscriptions/IntercomSubscriptions.format.ps1xml", entries);
        Assert.Contains("IntercomSubscriptions/Dependencies/IntercomSubscriptions.Engine.dll", entries);
        Assert.Contains("IntercomSubscriptions/Dependencies/Microsoft.Extensions.Http.dll", entries);
        Assert.Contains("IntercomSubscriptions/Dependencies/System.Text.Json.dll", entries);
        // Referenced by nothing shipped (ShippedDependencyTests has the whole list): not shipped.
        Assert.DoesNotContain("IntercomSubscriptions/Dependencies/Microsoft.Extensions.Configuration.Abstractions.dll", entries);
        Assert.DoesNotContain(entries, e => e.EndsWith("/System.Management.Automation.dll", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(entries, e => e.EndsWith("/System.Runtime.Loader.dll", StringComparison.OrdinalIgnoreCase));
        // The one assembly at the top is the cmdlet assembly: a dependency there would be found by
        // PowerShell's own probing and loaded into the shared context, undoing the isolation.
        Assert.Equal(["IntercomSubscriptions/IntercomSubscriptions.dll"],
            entries.Where(e => e.Count(c => c == '/') == 1 && e.EndsWith(".dll", StringComparison.Ordinal)));

        // The zip is the laid-out folder, file for file.
        var laidOut = Directory.GetFiles(Layout, "*", SearchOption.AllDirectories)
            .Select(f => "IntercomSubscriptions/" + Path.GetRelativePath(Layout, f).Replace(Path.DirectorySeparatorChar, '/'));
        Assert.Equal(laidOut.Order(StringComparer.Ordinal), entries.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("IntercomSubscriptions.psd1", "out/IntercomSubscriptions/IntercomSubscriptions.dll")]
    [InlineData("out/IntercomSubscriptions/IntercomSubscriptions.psd1", "IntercomSubscriptions.dll")]
    public void Test_ModuleManifest_passes(string manifest, string rootModule)
    {
        using var session = new PowerShellSession(importModule: false);

        var result = session.Run("Test-ModuleManifest -Path $manifest",
            new() { ["manifest"] = Path.Combine(PowerShellSession.RepositoryRoot, manifest) });

        Assert.Empty(result.Errors);
        dynamic module = new PSView(Assert.Single(result.Output));
        Assert.Equal("IntercomSubscriptions", (string)module.Name);
        Assert.Equal(new Version(0, 1, 0), (Version)module.Version);
        Assert.Equal(rootModule, (string)module.RootModule);
        Assert.Equal(Cmdlets, ((IEnumerable<string>)module.ExportedCmdlets.Keys).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_published_layout_imports_and_works()
    {
        await using var server = await FakeIntercomServer.StartAsync(new FakeIntercomOptions());
        using var session = new PowerShellSession(importModule: false);

        var imported = session.Run("""
            $module = Import-Module $manifest -PassThru -ErrorAction Stop
            $module.ModuleBase
            @(Get-Command -Module IntercomSubscriptions | ForEach-Object Name)
            """, new() { ["manifest"] = PublishedManifest });
        Assert.Empty(imported.Errors);
        Assert.Equal(Path.TrimEndingDirectorySeparator(Layout), imported.Output[0].BaseObject);
        Assert.Equal(Cmdlets, imported.Output.Skip(1).Select(o => (string)o.BaseObject).Order(StringComparer.Ordinal));

        session.Connect(server);
        var types = session.Run("Get-IntercomSubscriptionType");
        Assert.Empty(types.Errors);
        Assert.Contains(types.Objects("IntercomSubscriptions.SubscriptionType"), t => t.Name == "Newsletters");
    }
}
