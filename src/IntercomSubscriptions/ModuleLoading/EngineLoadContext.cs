using System.Reflection;
using System.Runtime.Loader;

namespace IntercomSubscriptions.ModuleLoading;

/// <summary>
/// The engine's own load context: it serves the assemblies in the module's Dependencies folder, except
/// those the shared .NET framework already provides at the same or a higher version.
/// </summary>
/// <remarks>
/// Framework assemblies (System.Text.Json, System.Memory, …) are shared because they cannot conflict —
/// no module can load a different version of them into the default context — and because loading
/// their netstandard copies here would split types such as ReadOnlyMemory&lt;T&gt; in two. When the
/// framework is older than what the module ships (System.Text.Json 10 on PowerShell 7.4's .NET 8), the
/// module's copy is loaded here instead. Everything else the engine needs that is not in Dependencies
/// (netstandard, System.Runtime, System.Net.Http, …) falls through to the default context.
/// Only the Microsoft.NETCore.App folder counts as "the framework": PowerShell's own dependencies or a
/// host application's are just other people's copies and are not shared.
/// </remarks>
internal sealed class EngineLoadContext : AssemblyLoadContext
{
    private readonly string _dependencyFolder;
    private readonly string? _frameworkFolder;

    public EngineLoadContext(string dependencyFolder)
    {
        _dependencyFolder = dependencyFolder;
        var coreLibrary = typeof(object).Assembly.Location;
        _frameworkFolder = string.IsNullOrEmpty(coreLibrary) ? null : Path.GetDirectoryName(coreLibrary);
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is null) return null;
        var shippedPath = Path.Combine(_dependencyFolder, assemblyName.Name + ".dll");
        if (!File.Exists(shippedPath)) return null;
        if (FrameworkProvidesAtLeast(assemblyName.Name, shippedPath)) return null;
        return LoadFromAssemblyPath(shippedPath);
    }

    private bool FrameworkProvidesAtLeast(string simpleName, string shippedPath)
    {
        if (_frameworkFolder is null) return false;
        var frameworkPath = Path.Combine(_frameworkFolder, simpleName + ".dll");
        if (!File.Exists(frameworkPath)) return false;
        try
        {
            var frameworkVersion = AssemblyName.GetAssemblyName(frameworkPath).Version;
            var shippedVersion = AssemblyName.GetAssemblyName(shippedPath).Version;
            return frameworkVersion is not null && shippedVersion is not null && frameworkVersion >= shippedVersion;
        }
        catch (Exception ex) when (ex is BadImageFormatException or IOException)
        {
            // An unreadable framework file (a native shim, say) is not a managed copy we could share.
            return false;
        }
    }
}
