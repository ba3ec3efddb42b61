using System.Net;
using System.Net.Http;
using System.Runtime.InteropServices;

namespace IntercomSubscriptions.Engine;

/// <summary>The handler that really talks to Intercom: connection limit, proxy, TLS, no redirects.</summary>
internal static class PrimaryHandlerFactory
{
    public static HttpMessageHandler Create(IntercomClientOptions options)
    {
        var handler = new HttpClientHandler
        {
            MaxConnectionsPerServer = options.MaxConnectionsPerServer,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            // Redirects are reported, not followed: see IntercomErrorClassifier.
            AllowAutoRedirect = false,
        };
        if (options.Proxy is not null)
        {
            handler.Proxy = options.Proxy;
            handler.UseProxy = true;
        }
        if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
        {
            // Windows PowerShell 5.1 may still default to TLS 1.0; ask for 1.2+ on this handler only,
            // leaving ServicePointManager (process-wide, other modules rely on it) alone.
            handler.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | (System.Security.Authentication.SslProtocols)12288; // Tls13
        }
        return handler;
    }
}
