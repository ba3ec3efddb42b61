using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// No connection to use: Connect-Intercom was not run in this session (IntercomNotConnected), or
/// the connection was closed by Disconnect-Intercom (IntercomConnectionClosed).
/// </summary>
public sealed class IntercomNotConnectedException : IntercomException
{
    public IntercomNotConnectedException(string message, bool closed)
        : base(message,
            closed
                ? new(ErrorIds.ConnectionClosed, ErrorCategory.ConnectionError, "Connect-Intercom -PassThru")
                : new(ErrorIds.NotConnected, ErrorCategory.ConnectionError, "Connect-Intercom -Token $token [-Region US|EU|AU]"),
            closed ? IntercomFailureKind.ConnectionClosed : IntercomFailureKind.NotConnected)
        => IsClosed = closed;

    /// <summary>The connection existed and was closed, rather than never made.</summary>
    public bool IsClosed { get; }
}
