using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using FakeIntercom;

namespace IntercomSubscriptions.Tests;

/// <summary>What one script run produced, stream by stream, as a user would see it.</summary>
public sealed class ScriptResult
{
    public required IReadOnlyList<PSObject> Output { get; init; }
    public required IReadOnlyList<ErrorRecord> Errors { get; init; }
    public required IReadOnlyList<string> Verbose { get; init; }
    public required IReadOnlyList<string> Debug { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }
    public required IReadOnlyList<ProgressRecord> Progress { get; init; }
    public required IReadOnlyList<string> Information { get; init; }

    /// <summary>
    /// Output objects of one PowerShell type name, as dynamic property bags: the tests do not
    /// reference the module's assemblies, which load from out/ as they do for a user.
    /// </summary>
    public IEnumerable<dynamic> Objects(string typeName) =>
        Output.Where(o => o.TypeNames.Contains(typeName)).Select(o => (dynamic)new PSView(o));

    /// <summary>Everything a user could see, for searching (e.g. for a leaked token).</summary>
    public string AllText() => string.Join("\n",
        Output.Select(o => o?.ToString() ?? "")
            .Concat(Errors.SelectMany(e => new[] { e.ToString(), e.Exception?.ToString() ?? "", e.ErrorDetails?.Message ?? "", e.FullyQualifiedErrorId, e.TargetObject?.ToString() ?? "" }))
            .Concat(Verbose).Concat(Debug).Concat(Warnings).Concat(Information)
            .Concat(Progress.Select(p => p.Activity + " " + p.StatusDescription)));
}

/// <summary>
/// A real PowerShell runspace (the engine pwsh runs on) with the module imported by its manifest,
/// exactly as `Import-Module ./IntercomSubscriptions.psd1` does after the README's build command.
/// </summary>
public sealed class PowerShellSession : IDisposable
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    public PowerShellSession(bool importModule = true)
    {
        var state = InitialSessionState.CreateDefault2();
        Runspace = RunspaceFactory.CreateRunspace(state);
        Runspace.Open();
        if (importModule)
        {
            var result = Run("Import-Module $manifest -ErrorAction Stop", new() { ["manifest"] = ManifestPath });
            if (result.Errors.Count > 0)
                throw new InvalidOperationException("Import-Module failed: " + result.Errors[0]);
        }
    }

    public Runspace Runspace { get; }

    public static string RepositoryRoot => Root.Value;

    public static string ManifestPath => Path.Combine(RepositoryRoot, "IntercomSubscriptions.psd1");

    /// <summary>Runs a script; $name variables come from <paramref name="variables"/>. Terminating errors land in Errors too.</summary>
    public ScriptResult Run(string script, Dictionary<string, object?>? variables = null, Action<PowerShell>? whileRunning = null)
    {
        using var shell = PowerShell.Create();
        shell.Runspace = Runspace;
        foreach (var (name, value) in variables ?? new())
            Runspace.SessionStateProxy.SetVariable(name, value);
        shell.AddScript(script);
        // Collected as it is written, so that what came before a terminating error is kept, as a user sees it.
        var output = new PSDataCollection<PSObject>();
        var errors = new List<ErrorRecord>();
        try
        {
            if (whileRunning is null)
            {
                shell.Invoke(null, output);
            }
            else
            {
                var async = shell.BeginInvoke<PSObject, PSObject>(null, output);
                whileRunning(shell);
                shell.EndInvoke(async);
            }
        }
        catch (RuntimeException ex)
        {
            errors.Add(ex.ErrorRecord);
        }
        errors.InsertRange(0, shell.Streams.Error);
        return new ScriptResult
        {
            Output = output.Where(o => o is not null).ToList(),
            Errors = errors,
            Verbose = shell.Streams.Verbose.Select(v => v.Message).ToList(),
            Debug = shell.Streams.Debug.Select(v => v.Message).ToList(),
            Warnings = shell.Streams.Warning.Select(v => v.Message).ToList(),
            Progress = shell.Streams.Progress.ToList(),
            Information = shell.Streams.Information.Select(v => v.MessageData?.ToString() ?? "").ToList(),
        };
    }

    /// <summary>Connect-Intercom to the fake server with its token; fails the test if it does not connect.</summary>
    public void Connect(FakeIntercomServer server, string extra = "") => Connect(server.BaseUri, server.Token, extra);

    /// <summary>Connect-Intercom to a fake server by its address and token (one in another process); throws if it does not connect.</summary>
    public void Connect(Uri baseUri, string token, string extra = "")
    {
        var result = Run($"Connect-Intercom -BaseUri $baseUri -Token {PowerShellSnippets.SecureToken} {extra}",
            new() { ["baseUri"] = baseUri, ["token"] = token });
        if (result.Errors.Count > 0)
            throw new InvalidOperationException("Connect-Intercom failed: " + result.Errors[0]);
    }

    public void Dispose() => Runspace.Dispose();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IntercomSubscriptions.PS.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Could not find the repository root (IntercomSubscriptions.PS.sln) above " + AppContext.BaseDirectory);
    }
}

/// <summary>Reads a PSObject's properties by name, with Source-like enums as their names.</summary>
public sealed class PSView : System.Dynamic.DynamicObject
{
    public PSView(PSObject inner) => Inner = inner;

    public PSObject Inner { get; }

    public override bool TryGetMember(System.Dynamic.GetMemberBinder binder, out object? result)
    {
        var property = Inner.Properties[binder.Name];
        result = property?.Value is Enum e ? e.ToString() : property?.Value;
        return property is not null;
    }

    public override string ToString() => Inner.ToString();
}
