using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>Shows this session's default Intercom connection (region, base URI, API version, masked token).</summary>
[Cmdlet(VerbsCommon.Get, "IntercomConnection")]
[OutputType(typeof(IntercomConnection))]
public sealed class GetIntercomConnectionCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        var connection = RunspaceConnectionStore.Current;
        if (connection is null)
            WriteError(IntercomErrors.NotConnected());
        else
            WriteObject(connection);
    }
}
