using System.Reflection;

namespace IntercomSubscriptions.ModuleLoading;

/// <summary>
/// Windows PowerShell (.NET Framework) has one load context, so isolation is impossible; the most the
/// module can do is find the engine and its dependencies in the Dependencies folder when normal probing
/// fails, including when a dependency asks for an older version than the one shipped (the binding
/// redirects an app.config would otherwise give). A request for a newer version than ours is left
/// alone, so another module's newer copy is never answered with our older one.
/// </summary>
/// <remarks>
/// Which references this must answer is proved at build time: the unit test ShippedDependencyTests
/// reads every shipped assembly's references and runs <see cref="Answers"/> on each.
/// </remarks>
internal static class NetFrameworkDependencyResolver
{
    /// <summary>Whether a request for <paramref name="requested"/> is answered with the shipped copy of version <paramref name="shipped"/>.</summary>
    internal static bool Answers(AssemblyName requested, Version? shipped) =>
        requested.Name is not null && (requested.Version is null || shipped is null || shipped >= requested.Version);

    internal static Assembly? Resolve(object? sender, ResolveEventArgs args)
    {
        var requested = new AssemblyName(args.Name);
        if (requested.Name is null) return null;
        var path = Path.Combine(EngineResolution.DependencyFolder, requested.Name + ".dll");
        if (!File.Exists(path)) return null;
        return Answers(requested, AssemblyName.GetAssemblyName(path).Version) ? Assembly.LoadFrom(path) : null;
    }
}
