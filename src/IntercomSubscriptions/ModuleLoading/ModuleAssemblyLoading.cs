using System.Management.Automation;

namespace IntercomSubscriptions.ModuleLoading;

/// <summary>
/// Runs when PowerShell imports (and removes) the module: before any cmdlet runs, it teaches the
/// runtime where the engine assembly and its dependencies live (the module's Dependencies folder,
/// which PowerShell itself never probes), so they load beside other modules' copies of
/// System.Text.Json or Microsoft.Extensions.* instead of colliding with them.
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
