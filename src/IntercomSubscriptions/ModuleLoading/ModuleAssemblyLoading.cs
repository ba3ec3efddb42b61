using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IntercomSubscriptions.ModuleLoading;

/// <summary>
/// Runs when PowerShell imports (and removes) the module: before any cmdlet runs, it teaches the
/// runtime where the engine assembly and its dependencies live (the module's Dependencies folder,
/// which PowerShell itself never probes), so they load beside other modules' copies of
/// System.Text.Json, Microsoft.Extensions.* or Polly instead of colliding with them.
/// </summary>
public sealed class ModuleAssemblyLoading : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    public void OnImport() => EngineResolution.Register();

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        // The connections this runspace opened go with the module: their tokens and sockets too.
        RunspaceConnectionStore.CloseAll();
        EngineResolution.Unregister();
    }
}

/// <summary>Registers the resolver that fits the runtime PowerShell is running on, once per process.</summary>
internal static class EngineResolution
{
    internal const string EngineAssemblyName = "IntercomSubscriptions.Engine";
    internal const string DependencyFolderName = "Dependencies";

    private static readonly object Gate = new();

    // Each Import-Module (one per runspace that imports it) calls OnImport and each Remove-Module calls
    // OnRemove; the process-wide handler stays until the last import is removed.
    private static int _imports;

    internal static string DependencyFolder { get; } = Path.Combine(
        Path.GetDirectoryName(typeof(EngineResolution).Assembly.Location) ?? AppContext.BaseDirectory,
        DependencyFolderName);

    internal static bool IsNetFramework { get; } =
        RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

    public static void Register()
    {
        lock (Gate)
        {
            if (_imports++ > 0) return;
            if (IsNetFramework) RegisterOnNetFramework();
            else RegisterOnCoreClr();
        }
    }

    public static void Unregister()
    {
        lock (Gate)
        {
            if (_imports == 0 || --_imports > 0) return;
            if (IsNetFramework) UnregisterOnNetFramework();
            else UnregisterOnCoreClr();
        }
    }

    // The two runtimes' code sits behind non-inlined methods so that Windows PowerShell never JIT-compiles
    // anything that mentions AssemblyLoadContext (System.Runtime.Loader does not exist on .NET Framework).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RegisterOnCoreClr() => CoreClrEngineResolver.Register(DependencyFolder);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UnregisterOnCoreClr() => CoreClrEngineResolver.Unregister();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RegisterOnNetFramework() => AppDomain.CurrentDomain.AssemblyResolve += ResolveFromDependencyFolder;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UnregisterOnNetFramework() => AppDomain.CurrentDomain.AssemblyResolve -= ResolveFromDependencyFolder;

    /// <summary>
    /// Windows PowerShell (.NET Framework) has one load context, so isolation is impossible; the most
    /// it can do is find the engine and its dependencies in the Dependencies folder when normal probing
    /// fails, including when a dependency asks for an older version than the one shipped (the binding
    /// redirects an app.config would otherwise give). A request for a newer version than ours is left
    /// alone, so another module's newer copy is never answered with our older one.
    /// </summary>
    private static Assembly? ResolveFromDependencyFolder(object? sender, ResolveEventArgs args)
    {
        var requested = new AssemblyName(args.Name);
        if (requested.Name is null) return null;
        var path = Path.Combine(DependencyFolder, requested.Name + ".dll");
        if (!File.Exists(path)) return null;
        var shipped = AssemblyName.GetAssemblyName(path);
        if (requested.Version is not null && shipped.Version is not null && shipped.Version < requested.Version) return null;
        return Assembly.LoadFrom(path);
    }
}
