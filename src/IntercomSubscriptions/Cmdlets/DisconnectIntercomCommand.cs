using System.Management.Automation;

namespace IntercomSubscriptions.Commands;

/// <summary>Closes an Intercom connection: the session's default, or the one given with -Connection.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "Intercom")]
[OutputType(typeof(void))]
public sealed class DisconnectIntercomCommand : PSCmdlet
{
    /// <summary>A connection from Connect-Intercom -PassThru to close; the session's default when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public IntercomConnection? Connection { get; set; }

    private bool _closedAny;

    protected override void ProcessRecord()
    {
        if (Connection is null) return;
        Close(Connection);
        // Closing the default through -Connection leaves the session without one, as Disconnect-Intercom alone would.
        if (ReferenceEquals(RunspaceConnectionStore.Current, Connection))
            RunspaceConnectionStore.Set(null);
    }

    protected override void EndProcessing()
    {
        if (_closedAny || MyInvocation.BoundParameters.ContainsKey(nameof(Connection)) || MyInvocation.ExpectingInput) return;
        var connection = RunspaceConnectionStore.Current;
        if (connection is null)
        {
            WriteVerbose("This session was not connected to Intercom.");
            return;
        }
        RunspaceConnectionStore.Set(null);
        Close(connection);
    }

    private void Close(IntercomConnection connection)
    {
        _closedAny = true;
        if (connection.IsClosed)
        {
            WriteVerbose($"{connection} was already closed.");
            return;
        }
        connection.Close();
        WriteVerbose($"Disconnected from {connection}.");
    }
}
