using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// A cmdlet that talks to Intercom: uses -Connection when given, otherwise the session's default
/// from Connect-Intercom, and fails before any HTTP call when there is neither.
/// </summary>
public abstract class IntercomConnectedCmdlet : IntercomCmdlet
{
    private IntercomConnection? _active;

    /// <summary>A connection from Connect-Intercom -PassThru; the session's default when omitted.</summary>
    [Parameter]
    [ValidateNotNull]
    public IntercomConnection? Connection { get; set; }

    internal IntercomConnection ActiveConnection => _active ??= ResolveConnection();

    protected override void BeginProcessing()
    {
        _ = ActiveConnection;
        base.BeginProcessing();
    }

    private IntercomConnection ResolveConnection()
    {
        var connection = Connection ?? RunspaceConnectionStore.Current;
        if (connection is null || connection.IsClosed)
            ThrowTerminatingError(IntercomErrors.NotConnected());
        WriteVerbose($"Using {connection}.");
        return connection!;
    }
}
