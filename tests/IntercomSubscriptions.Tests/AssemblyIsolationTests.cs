using System.Diagnostics;
using System.Text.Json;
using FakeIntercom;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// The module must work in a PowerShell where another module (Az, say) already loaded different
/// versions of its dependencies. Each case runs tests/ModuleLoadProbe in a process of its own: it
/// preloads conflicting Microsoft.Extensions.Http and Microsoft.Bcl.TimeProvider assemblies into the default load
/// context, imports the module, uses it against this test's fake Intercom, and reports which load
/// context every assembly landed in. (Load contexts are process-wide, so doing this here would leak
/// the conflicting copies into every other test.)
/// </summary>
public sealed class AssemblyIsolationTests : IAsyncLifetime
{
    private const string ModuleContext = "IntercomSubscriptions.ModuleLoading.EngineLoadContext";

    private FakeIntercomServer _server = null!;
    private string _workDir = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeIntercomServer.StartAsync(new FakeIntercomOptions());
        _workDir = Directory.CreateTempSubdirectory("intercom-isolation-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_workDir, recursive: true);
    }

    public static TheoryData<string> Manifests => new()
    {
        // The repo-root manifest (what the README's Import-Module uses) and the published layout's.
        "IntercomSubscriptions.psd1",
        "out/IntercomSubscriptions/IntercomSubscriptions.psd1",
    };

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Module_works_beside_conflicting_dependencies_loaded_before_it(string manifest)
    {
        var report = RunProbe(Path.Combine(PowerShellSession.RepositoryRoot, manifest));

        Assert.Empty(report.Errors);
        Assert.Equal(new[] { $"{Ada}/108/True" }, report.Output["add"]);
        Assert.Contains($"{Ada}/108/True", report.Output["get"]);
        Assert.Equal("opt_in", _server.State.GetChoices(Ada)["108"]);

        // The conflicting copies are still the default context's: nothing was unloaded or replaced...
        foreach (var preloaded in report.Preloaded)
            Assert.Single(report.Assemblies, a => a.Location == preloaded && a.IsDefaultContext);

        // ...and the engine and its third-party dependencies came from the module's Dependencies folder
        // into the module's own context.
        var dependencies = Path.Combine(PowerShellSession.RepositoryRoot, "out", "IntercomSubscriptions", "Dependencies");
        foreach (var name in new[]
                 {
                     "IntercomSubscriptions.Engine", "Microsoft.Extensions.Http", "Microsoft.Bcl.TimeProvider",
                 })
        {
            var inModule = Assert.Single(report.Assemblies, a => a.Name == name && !a.IsDefaultContext);
            Assert.Equal(ModuleContext, inModule.Context);
            Assert.Equal(Path.Combine(dependencies, name + ".dll"), inModule.Location);
        }
        Assert.Equal("10.0.0.0", report.Assemblies.Single(a => a.Name == "Microsoft.Extensions.Http" && !a.IsDefaultContext).Version);

        // What PowerShell must share stays in the default context: the engine of PowerShell itself and
        // the cmdlet assembly, whose types (parameters, outputs) are what PowerShell sees.
        Assert.True(Single(report, "System.Management.Automation").IsDefaultContext);
        var cmdlets = Single(report, "IntercomSubscriptions");
        Assert.True(cmdlets.IsDefaultContext);
        Assert.Equal(Path.Combine(PowerShellSession.RepositoryRoot, "out", "IntercomSubscriptions", "IntercomSubscriptions.dll"), cmdlets.Location);

        // System.Text.Json is shipped in Dependencies but is a framework assembly here (.NET 10 carries
        // 10.0.0.0, the version the engine needs), so the framework's copy is shared rather than a
        // second one loaded; on an older framework (PowerShell 7.4, .NET 8) the module's copy would load
        // into the module's context instead.
        var json = Single(report, "System.Text.Json");
        Assert.True(json.IsDefaultContext);
        Assert.Equal(Path.GetDirectoryName(Single(report, "System.Private.CoreLib").Location), Path.GetDirectoryName(json.Location));
    }

    /// <summary>
    /// The control: the same conflict against the module's files laid out flat (the engine beside the
    /// cmdlet assembly, no Dependencies folder, as a naive build would ship them) breaks the module the
    /// way Az users see it. This is what shows the probe's conflicting copies really conflict.
    /// </summary>
    [Fact]
    public void Without_the_Dependencies_folder_the_same_conflict_breaks_the_module()
    {
        var layout = Path.Combine(PowerShellSession.RepositoryRoot, "out", "IntercomSubscriptions");
        var flat = Directory.CreateDirectory(Path.Combine(_workDir, "flat")).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(layout, "Dependencies"), "*.dll").Append(Path.Combine(layout, "IntercomSubscriptions.dll")))
            File.Copy(file, Path.Combine(flat, Path.GetFileName(file)));

        var report = RunProbe(Path.Combine(flat, "IntercomSubscriptions.dll"));

        // PowerShell's own probing found the engine beside the cmdlet assembly, in the default context,
        // where the preloaded Microsoft.Bcl.TimeProvider (same version, none of the real types) answers for it.
        var engine = Single(report, "IntercomSubscriptions.Engine");
        Assert.True(engine.IsDefaultContext);
        Assert.Contains(report.Errors, e => e.StartsWith("connect:", StringComparison.Ordinal) && e.Contains("Microsoft.Bcl.TimeProvider", StringComparison.Ordinal));
        Assert.Empty(report.Output["add"]);
        Assert.False(_server.State.GetChoices(Ada).ContainsKey("108"));
    }

    private static LoadedAssembly Single(ProbeReport report, string name) => Assert.Single(report.Assemblies, a => a.Name == name);

    private ProbeReport RunProbe(string manifest)
    {
        var probe = FindOrBuildProbe();
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     probe, "--manifest", manifest, "--base-uri", _server.BaseUri.ToString(), "--token", _server.Token,
                     "--contact", Ada, "--work-dir", _workDir,
                 })
            start.ArgumentList.Add(argument);

        var (exitCode, stdout, stderr) = RunToEnd(start);
        Assert.True(exitCode == 0, $"ModuleLoadProbe exited with {exitCode}:\n{stderr}\n{stdout}");
        return JsonSerializer.Deserialize<ProbeReport>(stdout)
               ?? throw new InvalidOperationException("ModuleLoadProbe wrote no report: " + stdout);
    }

    /// <summary>
    /// The probe is built with the solution (same configuration as this test assembly); when only this
    /// test project was built, build the probe first.
    /// </summary>
    private static string FindOrBuildProbe()
    {
        var testOutput = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        var configuration = testOutput.Parent!.Name;
        var project = Path.Combine(PowerShellSession.RepositoryRoot, "tests", "ModuleLoadProbe");
        var probe = Path.Combine(project, "bin", configuration, testOutput.Name, "ModuleLoadProbe.dll");
        if (!File.Exists(probe))
        {
            var build = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "build", Path.Combine(project, "ModuleLoadProbe.csproj"), "-c", configuration })
                build.ArgumentList.Add(argument);
            var (exitCode, stdout, stderr) = RunToEnd(build);
            Assert.True(exitCode == 0 && File.Exists(probe), $"Building ModuleLoadProbe failed ({exitCode}):\n{stdout}\n{stderr}");
        }
        return probe;
    }

    private static string DotnetHost() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static (int ExitCode, string Stdout, string Stderr) RunToEnd(ProcessStartInfo start)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + start.FileName);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A guard against a hung child, not a performance assertion.
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish.");
        }
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private sealed record ProbeReport(
        List<string> Preloaded, List<string> Errors, Dictionary<string, List<string>> Output, List<LoadedAssembly> Assemblies);

    private sealed record LoadedAssembly(string Name, string Version, string Location, string Context, bool IsDefaultContext);
}
