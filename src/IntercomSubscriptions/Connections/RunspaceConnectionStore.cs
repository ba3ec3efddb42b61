using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace IntercomSubscriptions;

/// <summary>
/// The default connection of each runspace, and every connection opened in it. Azure Automation
/// runs several jobs in one process, each in its own runspace, so neither may be process-wide.
/// </summary>
internal static class RunspaceConnectionStore
{
    private sealed class Slot
    {
        public IntercomConnection? Connection;
        // Weak: a connection a script dropped is collected as before; Remove-Module closes the rest.
        public readonly List<WeakReference<IntercomConnection>> Opened = new();
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
        var slot = CurrentSlot();
        lock (slot) slot.Connection = connection;
    }

    /// <summary>Remembers a connection Connect-Intercom opened in this runspace, so that Remove-Module can close it.</summary>
    public static void Track(IntercomConnection connection)
    {
        var slot = CurrentSlot();
        lock (slot)
        {
            slot.Opened.RemoveAll(r => !r.TryGetTarget(out var c) || c.IsClosed);
            slot.Opened.Add(new WeakReference<IntercomConnection>(connection));
        }
    }

    /// <summary>Closes every connection opened in this runspace and forgets the default (Remove-Module).</summary>
    public static void CloseAll()
    {
        var runspace = Runspace.DefaultRunspace;
        if (runspace is null || !Slots.TryGetValue(runspace, out var slot)) return;
        List<IntercomConnection> open;
        lock (slot)
        {
            open = slot.Opened.Select(r => r.TryGetTarget(out var c) ? c : null).Where(c => c is { IsClosed: false }).Select(c => c!).ToList();
            slot.Opened.Clear();
            slot.Connection = null;
        }
        foreach (var connection in open)
            connection.Close();
    }

    private static Slot CurrentSlot()
    {
        var runspace = Runspace.DefaultRunspace
            ?? throw new InvalidOperationException("There is no current runspace to keep the Intercom connection in.");
        return Slots.GetValue(runspace, _ => new Slot());
    }
}
