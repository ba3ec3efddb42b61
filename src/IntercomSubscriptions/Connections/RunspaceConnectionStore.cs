using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace IntercomSubscriptions;

/// <summary>
/// The default connection of each runspace. Azure Automation runs several jobs in one process,
/// each in its own runspace, so the default must never be process-wide.
/// </summary>
internal static class RunspaceConnectionStore
{
    private sealed class Slot
    {
        public IntercomConnection? Connection;
    }

    private static readonly ConditionalWeakTable<Runspace, Slot> Slots = new();

    public static IntercomConnection? Current
    {
        get
        {
            var runspace = Runspace.DefaultRunspace;
            return runspace is not null && Slots.TryGetValue(runspace, out var slot) ? slot.Connection : null;
        }
    }

    public static void Set(IntercomConnection? connection)
    {
        var runspace = Runspace.DefaultRunspace
            ?? throw new InvalidOperationException("There is no current runspace to keep the Intercom connection in.");
        Slots.GetValue(runspace, _ => new Slot()).Connection = connection;
    }
}
