using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IntercomSubscriptions.ModuleLoading;

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
    private static void RegisterOnNetFramework() => AppDomain.CurrentDomain.AssemblyResolve += NetFrameworkDependencyResolver.Resolve;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UnregisterOnNetFramework() => AppDomain.CurrentDomain.AssemblyResolve -= NetFrameworkDependencyResolver.Resolve;
}
