using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// A minimal HTTP forward proxy on 127.0.0.1 for plain-http targets: it asks for Basic proxy
/// credentials (407) when <see cref="RequireCredentials"/> is set, records what it was asked, and
/// relays each request over a fresh connection ("Connection: close" on both sides keeps it simple).
/// </summary>
public sealed class LoopbackProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();

    public LoopbackProxy(bool requireCredentials)
    {
        RequireCredentials = requireCredentials;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public bool RequireCredentials { get; }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Request lines as received (absolute-form, e.g. "GET http://127.0.0.1:5000/subscription_types HTTP/1.1").</summary>
    public ConcurrentQueue<string> RequestLines { get; } = new();

    /// <summary>Proxy-Authorization header values received.</summary>
    public ConcurrentQueue<string> ProxyAuthorizations { get; } = new();

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var (head, body) = await ReadRequestAsync(stream);
            var lines = head.Split("\r\n");
            RequestLines.Enqueue(lines[0]);
            var headers = lines.Skip(1).Where(l => l.Length > 0).ToList();
            var proxyAuthorization = headers.FirstOrDefault(h => h.StartsWith("Proxy-Authorization:", StringComparison.OrdinalIgnoreCase));
            if (proxyAuthorization is not null)
                ProxyAuthorizations.Enqueue(proxyAuthorization["Proxy-Authorization:".Length..].Trim());
            if (RequireCredentials && proxyAuthorization is null)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(
                    "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"loopback\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                return;
            }

            var parts = lines[0].Split(' ');
            var target = new Uri(parts[1]);
            var forwarded = new StringBuilder($"{parts[0]} {target.PathAndQuery} {parts[2]}\r\n");
            foreach (var header in headers)
            {
                if (header.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase) || header.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase))
                    continue;
                forwarded.Append(header).Append("\r\n");
            }
            forwarded.Append("Connection: close\r\n\r\n");

            using var upstream = new TcpClient();
            await upstream.ConnectAsync(target.Host, target.Port);
            var upstreamStream = upstream.GetStream();
            await upstreamStream.WriteAsync(Encoding.ASCII.GetBytes(forwarded.ToString()));
            await upstreamStream.WriteAsync(body);
            // Kestrel closes after answering ("Connection: close"), so the answer is everything until EOF.
            using var answer = new MemoryStream();
            await upstreamStream.CopyToAsync(answer);
            await stream.WriteAsync(answer.ToArray());
        }
        catch (Exception)
        {
            // A test proxy: a broken exchange shows up as the client's connection error.
        }
    }

    private static async Task<(string Head, byte[] Body)> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(buffer))
        {
            if (await stream.ReadAsync(one) == 0) throw new IOException("The client closed the connection mid-request.");
            buffer.Add(one[0]);
        }
        var head = Encoding.ASCII.GetString(buffer.ToArray());
        var lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
        var body = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = await stream.ReadAsync(body.AsMemory(read));
            if (n == 0) throw new IOException("The client closed the connection mid-body.");
            read += n;
        }
        return (head, body);
    }

    private static bool EndsWithBlankLine(List<byte> buffer) =>
        buffer.Count >= 4 && buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n';

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
