using System.Reflection;
using System.Runtime.Loader;

namespace IntercomSubscriptions.ModuleLoading;

/// <summary>
/// PowerShell 7: the cmdlet assembly lives in the default load context (PowerShell put it there); when
/// it first needs the engine, the default context cannot find it (it is not beside the cmdlet assembly)
/// and raises Resolving, which this answers — for the engine's name only — by loading the engine into
/// <see cref="EngineLoadContext"/>. From then on the runtime asks that context first for everything the
/// engine references, so its dependencies come from the module, whatever other modules loaded.
/// </summary>
internal static class CoreClrEngineResolver
{
    private static EngineLoadContext? _context;
    private static string _enginePath = "";

    public static void Register(string dependencyFolder)
    {
        // One context per process, reused across imports: the engine must not load twice.
        _context ??= new EngineLoadContext(dependencyFolder);
        _enginePath = Path.Combine(dependencyFolder, EngineResolution.EngineAssemblyName + ".dll");
        AssemblyLoadContext.Default.Resolving += ResolveEngine;
    }

    public static void Unregister() => AssemblyLoadContext.Default.Resolving -= ResolveEngine;

    // By path, never by name: a by-name load the context cannot serve falls back to the default context,
    // whose failure would raise this event again (endless recursion when the engine is missing).
    private static Assembly? ResolveEngine(AssemblyLoadContext defaultContext, AssemblyName name) =>
        _context is not null
        && string.Equals(name.Name, EngineResolution.EngineAssemblyName, StringComparison.Ordinal)
        && File.Exists(_enginePath)
            ? _context.LoadFromAssemblyPath(_enginePath)
            : null;
}
