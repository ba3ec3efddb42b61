using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>Forgets this session's default Intercom connection and its token.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "Intercom")]
[OutputType(typeof(void))]
public sealed class DisconnectIntercomCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        var connection = RunspaceConnectionStore.Current;
        if (connection is null)
        {
            WriteVerbose("This session was not connected to Intercom.");
            return;
        }
        RunspaceConnectionStore.Set(null);
        connection.Close();
        WriteVerbose($"Disconnected from {connection}.");
    }
}
