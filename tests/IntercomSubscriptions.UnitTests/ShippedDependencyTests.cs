using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using IntercomSubscriptions.ModuleLoading;

namespace IntercomSubscriptions.UnitTests;

/// <summary>
/// Windows PowerShell 5.1 binds every dependency in one AppDomain, beside whatever Az.Accounts loaded,
/// and cannot be run here. So the build proves, from metadata, that every assembly reference of every
/// assembly the module ships (out/IntercomSubscriptions) is answered there: by a shipped assembly of
/// that version, by .NET Framework 4.7.2 itself (its reference assemblies, netstandard2.0 facades
/// included, from the Microsoft.NETFramework.ReferenceAssemblies.net472 package), or by the module's
/// 5.1 resolver (<see cref="NetFrameworkDependencyResolver"/>: a shipped assembly asked for at an older
/// version). Two references are the host's: System.Management.Automation (Windows PowerShell's own)
/// and System.Runtime.Loader (only ever touched on PowerShell 7, behind a method .NET Framework never compiles).
/// </summary>
public sealed class ShippedDependencyTests
{
    private sealed record Reference(string From, string Name, Version Version);

    private static readonly string ModuleFolder = Path.Combine(RepositoryRoot(), "out", "IntercomSubscriptions");
    private static readonly string DependencyFolder = Path.Combine(ModuleFolder, EngineResolution.DependencyFolderName);

    /// <summary>Every assembly the module ships, by simple name: the cmdlet assembly and Dependencies/*.</summary>
    private static readonly Dictionary<string, Version> Shipped =
        Directory.GetFiles(DependencyFolder, "*.dll").Append(Path.Combine(ModuleFolder, "IntercomSubscriptions.dll"))
            .Select(Identity).ToDictionary(a => a.Name, a => a.Version, StringComparer.Ordinal);

    private static readonly IReadOnlyList<Reference> References =
        Directory.GetFiles(DependencyFolder, "*.dll").Append(Path.Combine(ModuleFolder, "IntercomSubscriptions.dll"))
            .SelectMany(ReferencesOf).ToList();

    [Fact]
    public void Every_reference_of_every_shipped_assembly_is_answered_on_Windows_PowerShell_5_1()
    {
        var framework = NetFramework472();
        var unanswered = new List<string>();
        var byResolver = new List<string>();
        foreach (var reference in References)
        {
            if (Shipped.TryGetValue(reference.Name, out var shipped))
            {
                if (shipped == reference.Version) continue;
                if (NetFrameworkDependencyResolver.Answers(new AssemblyName(reference.Name) { Version = reference.Version }, shipped))
                {
                    byResolver.Add($"{reference.From} -> {reference.Name} {reference.Version} (shipped {shipped})");
                    continue;
                }
            }
            else if (framework.TryGetValue(reference.Name, out var inFramework) && inFramework >= reference.Version)
            {
                continue;
            }
            else if (reference.From == "IntercomSubscriptions" && reference.Name is "System.Management.Automation" or "System.Runtime.Loader")
            {
                continue;
            }
            unanswered.Add($"{reference.From} -> {reference.Name} {reference.Version}");
        }

        Assert.True(unanswered.Count == 0, "Not answered on Windows PowerShell 5.1:\n" + string.Join("\n", unanswered));
        // Not vacuous: the framework list was read, and the references include facades it answers.
        Assert.Contains("netstandard", framework.Keys);
        Assert.Contains(References, r => r.Name == "netstandard" && !Shipped.ContainsKey(r.Name));
        // Each version mismatch is a FileLoadException on 5.1 but for the resolver (no app.config redirects
        // there): the one left is Microsoft.Extensions.Options, compiled against the Annotations facade 4.2.0.0
        // while its package brings 4.2.1.0.
        Assert.Equal(["Microsoft.Extensions.Options -> System.ComponentModel.Annotations 4.2.0.0 (shipped 4.2.1.0)"], byResolver);
    }

    [Fact]
    public void The_resolver_answers_each_shipped_assembly_at_every_version_referenced_and_never_a_newer_one()
    {
        var toShipped = References.Where(r => Shipped.ContainsKey(r.Name)).ToList();
        Assert.NotEmpty(toShipped);
        foreach (var reference in toShipped)
        {
            var shipped = Shipped[reference.Name];
            Assert.True(NetFrameworkDependencyResolver.Answers(new AssemblyName(reference.Name) { Version = reference.Version }, shipped),
                $"{reference.From} -> {reference.Name} {reference.Version}, shipped {shipped}");
            // An older request (a binding redirect's job) is answered; a newer one is another module's to serve.
            Assert.True(NetFrameworkDependencyResolver.Answers(new AssemblyName(reference.Name) { Version = new Version(0, 0, 0, 0) }, shipped));
            Assert.False(NetFrameworkDependencyResolver.Answers(
                new AssemblyName(reference.Name) { Version = new Version(shipped.Major + 1, 0, 0, 0) }, shipped), reference.Name);
        }
    }

    [Fact]
    public void Every_shipped_dependency_is_referenced_and_the_list_is_the_one_reviewed()
    {
        // The closure of references from the cmdlet assembly: a shipped DLL outside it is one more to bind for nothing.
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(["IntercomSubscriptions"]);
        while (pending.TryPop(out var name))
        {
            if (!Shipped.ContainsKey(name) || !reached.Add(name)) continue;
            foreach (var reference in References.Where(r => r.From == name))
                pending.Push(reference.Name);
        }
        Assert.Equal(Shipped.Keys.Order(StringComparer.Ordinal), reached.Order(StringComparer.Ordinal));

        // System.Text.Json and Microsoft.Extensions.Http are the user's choices; everything else is theirs,
        // the engine's, or Microsoft.Bcl.TimeProvider (TimeProvider for netstandard2.0). See README, "Windows PowerShell 5.1".
        Assert.Equal(
        [
            "IntercomSubscriptions.Engine",
            "Microsoft.Bcl.AsyncInterfaces",
            "Microsoft.Bcl.TimeProvider",
            "Microsoft.Extensions.DependencyInjection",
            "Microsoft.Extensions.DependencyInjection.Abstractions",
            "Microsoft.Extensions.Http",
            "Microsoft.Extensions.Logging",
            "Microsoft.Extensions.Logging.Abstractions",
            "Microsoft.Extensions.Options",
            "Microsoft.Extensions.Primitives",
            "System.Buffers",
            "System.ComponentModel.Annotations",
            "System.Diagnostics.DiagnosticSource",
            "System.IO.Pipelines",
            "System.Memory",
            "System.Numerics.Vectors",
            "System.Runtime.CompilerServices.Unsafe",
            "System.Text.Encodings.Web",
            "System.Text.Json",
            "System.Threading.Tasks.Extensions",
        ], Shipped.Keys.Where(n => n != "IntercomSubscriptions").Order(StringComparer.Ordinal));
    }

    private static (string Name, Version Version) Identity(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new PEReader(stream);
        var metadata = reader.GetMetadataReader();
        var definition = metadata.GetAssemblyDefinition();
        return (metadata.GetString(definition.Name), definition.Version);
    }

    private static bool IsAssembly(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new PEReader(stream);
        return reader.HasMetadata && reader.GetMetadataReader().IsAssembly;
    }

    private static IEnumerable<Reference> ReferencesOf(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new PEReader(stream);
        var metadata = reader.GetMetadataReader();
        var from = metadata.GetString(metadata.GetAssemblyDefinition().Name);
        return metadata.AssemblyReferences
            .Select(handle => metadata.GetAssemblyReference(handle))
            .Select(reference => new Reference(from, metadata.GetString(reference.Name), reference.Version))
            .ToList();
    }

    /// <summary>.NET Framework 4.7.2's assemblies, Facades included, by name and version.</summary>
    private static Dictionary<string, Version> NetFramework472()
    {
        var folder = typeof(ShippedDependencyTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "NetFramework472ReferenceAssemblies").Value!;
        Assert.True(Directory.Exists(folder), $"The .NET Framework 4.7.2 reference assemblies are not at {folder} (restore the test project).");
        var assemblies = Directory.GetFiles(folder, "*.dll").Concat(Directory.GetFiles(Path.Combine(folder, "Facades"), "*.dll"))
            .Where(IsAssembly).Select(Identity).ToList();
        Assert.True(assemblies.Count > 100, $"only {assemblies.Count} assemblies in {folder}");
        return assemblies.GroupBy(a => a.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Max(a => a.Version)!, StringComparer.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "IntercomSubscriptions.PS.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException("The repository root (IntercomSubscriptions.PS.sln) is not above " + AppContext.BaseDirectory);
    }
}
