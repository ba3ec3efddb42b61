using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// What became of one call's attempts on the wire, as the handler pipeline saw them: whether Intercom
/// may have carried the call out although the call did not succeed, and Intercom's request_id of the
/// last answer. A caller that changes something passes one with the call (<see cref="CallOptions"/>)
/// and reads it once the call has ended, however it ended: a change that failed or was stopped is
/// then "not applied" only when no attempt could have been.
/// </summary>
/// <remarks>
/// An attempt counts from when the counting handler hands it to the network. It rules nothing out
/// when it got no answer (timed out, cut off, dropped after the connection was made, stopped while on
/// the wire), a 5xx (Intercom failed while handling it), or a 2xx (it was carried out, whatever became
/// of the answer's body). A 4xx (429 included) settles it: Intercom refused it. A connection that was
/// refused, a name that did not resolve or a TLS handshake that failed never carried the request.
/// Written by one attempt at a time; read after the call's task has completed.
/// </remarks>
internal sealed class CallDelivery
{
    private volatile bool _mayHaveApplied;
    private volatile string? _requestId;

    /// <summary>Some attempt reached Intercom with an answer (or none) that does not rule out that it was carried out.</summary>
    public bool MayHaveApplied => _mayHaveApplied;

    /// <summary>Intercom's request_id of the last answer, cleaned; null when none came.</summary>
    public string? RequestId => _requestId;

    /// <summary>An attempt got an answer with <paramref name="statusCode"/>.</summary>
    internal void Answered(int statusCode, string? requestId)
    {
        if (requestId is not null) _requestId = requestId;
        if (statusCode is (>= 200 and <= 299) or >= 500) _mayHaveApplied = true;
    }

    /// <summary>An attempt handed to the network ended without an answer.</summary>
    internal void Unanswered(Exception failure)
    {
        if (!NeverConnected(failure)) _mayHaveApplied = true;
    }

    /// <summary>Whether <paramref name="failure"/> says the attempt never had a connection to send on.</summary>
    internal static bool NeverConnected(Exception failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SocketException socket when socket.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostNotFound
                    or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.TryAgain or SocketError.NoData
                    or SocketError.AddressNotAvailable:
                    return true;
                // .NET Framework's handler reports the same failures as a WebException.
                case WebException web when web.Status is WebExceptionStatus.ConnectFailure or WebExceptionStatus.NameResolutionFailure
                    or WebExceptionStatus.ProxyNameResolutionFailure or WebExceptionStatus.TrustFailure or WebExceptionStatus.SecureChannelFailure:
                    return true;
                // The request goes after the handshake: a refused certificate never carried it.
                case AuthenticationException:
                    return true;
            }
        }
        return false;
    }
}
