using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Loader;
using System.Text.Json;

namespace ModuleLoadProbe;

/// <summary>
/// Usage: ModuleLoadProbe --manifest PATH --base-uri URI --token TOKEN --contact ID --work-dir DIR
/// Prints one JSON report on stdout (see <see cref="Report"/>); exit code 0 when the report was written.
/// </summary>
public static class Program
{
    /// <summary>
    /// The conflicting copies another module could have loaded first: Microsoft.Extensions.Http at an
    /// older version (as Az modules carry), and a Microsoft.Bcl.TimeProvider with our version number but
    /// none of its types.
    /// </summary>
    private static readonly (string Name, Version Version)[] Conflicts =
    [
        ("Microsoft.Extensions.Http", new Version(6, 0, 0, 0)),
        ("Microsoft.Bcl.TimeProvider", new Version(10, 0, 0, 0)),
    ];

    public static int Main(string[] args)
    {
        var options = ParseArguments(args);
        var report = new Report();

        foreach (var (name, version) in Conflicts)
        {
            var path = WriteConflictingAssembly(options["--work-dir"], name, version);
            // Assembly.LoadFrom is how a module's RequiredAssemblies or a script's Add-Type -Path load:
            // into the default context.
            Assembly.LoadFrom(path);
            report.Preloaded.Add(path);
        }

        using (var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2()))
        {
            runspace.Open();
            Run(runspace, report, "import", "Import-Module $manifest -ErrorAction Stop", new() { ["manifest"] = options["--manifest"] });
            Run(runspace, report, "connect",
                "Connect-Intercom -BaseUri $baseUri -Token ([System.Net.NetworkCredential]::new('', $token).SecurePassword) | Out-Null",
                new() { ["baseUri"] = options["--base-uri"], ["token"] = options["--token"] });
            Run(runspace, report, "add",
                "Add-IntercomContactSubscription -ContactId $contact -SubscriptionId 108 -Consent opt_in | ForEach-Object { \"$($_.ContactId)/$($_.SubscriptionId)/$($_.Subscribed)\" }",
                new() { ["contact"] = options["--contact"] });
            Run(runspace, report, "get",
                "Get-IntercomContactSubscription -ContactId $contact | ForEach-Object { \"$($_.ContactId)/$($_.SubscriptionId)/$($_.Subscribed)\" }",
                new() { ["contact"] = options["--contact"] });
        }

        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            var context = AssemblyLoadContext.GetLoadContext(assembly);
            report.Assemblies.Add(new LoadedAssembly(
                assembly.GetName().Name ?? "",
                assembly.GetName().Version?.ToString() ?? "",
                assembly.IsDynamic ? "" : assembly.Location,
                context?.GetType().FullName ?? "",
                context == AssemblyLoadContext.Default));
        }

        Console.Out.Write(JsonSerializer.Serialize(report));
        return 0;
    }

    private static void Run(Runspace runspace, Report report, string step, string script, Dictionary<string, object> variables)
    {
        using var shell = PowerShell.Create();
        shell.Runspace = runspace;
        foreach (var (name, value) in variables)
            runspace.SessionStateProxy.SetVariable(name, value);
        shell.AddScript(script);
        var output = new List<string>();
        try
        {
            output.AddRange(shell.Invoke().Where(o => o is not null).Select(o => o.ToString()));
        }
        catch (RuntimeException ex)
        {
            report.Errors.Add($"{step}: {ex.ErrorRecord} {ex.InnerException}");
        }
        report.Errors.AddRange(shell.Streams.Error.Select(e => $"{step}: {e} {e.Exception}"));
        report.Output[step] = output;
    }

    /// <summary>Writes an assembly with the given identity and one marker type, and nothing else.</summary>
    private static string WriteConflictingAssembly(string directory, string name, Version version)
    {
        var builder = new PersistedAssemblyBuilder(new AssemblyName(name) { Version = version }, typeof(object).Assembly);
        var module = builder.DefineDynamicModule(name);
        module.DefineType(name + ".ConflictingCopyMarker", TypeAttributes.Public | TypeAttributes.Class | TypeAttributes.Sealed).CreateType();
        var folder = Path.Combine(directory, name);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + ".dll");
        builder.Save(path);
        return path;
    }

    private static Dictionary<string, string> ParseArguments(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
            options[args[i]] = args[i + 1];
        foreach (var required in new[] { "--manifest", "--base-uri", "--token", "--contact", "--work-dir" })
        {
            if (!options.ContainsKey(required))
                throw new ArgumentException($"Missing {required}. Usage: ModuleLoadProbe --manifest PATH --base-uri URI --token TOKEN --contact ID --work-dir DIR");
        }
        return options;
    }
}

public sealed class Report
{
    public List<string> Preloaded { get; } = [];
    public List<string> Errors { get; } = [];
    public Dictionary<string, List<string>> Output { get; } = [];
    public List<LoadedAssembly> Assemblies { get; } = [];
}

/// <param name="Context">The load context's type: System.Runtime.Loader.DefaultAssemblyLoadContext or the module's.</param>
public sealed record LoadedAssembly(string Name, string Version, string Location, string Context, bool IsDefaultContext);
