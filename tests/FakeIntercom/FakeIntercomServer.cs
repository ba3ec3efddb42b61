using System.Net;
using FakeIntercom.Control;
using FakeIntercom.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FakeIntercom;

/// <summary>
/// A fake Intercom REST API bound to 127.0.0.1 only: Kestrel hosting the <see cref="RequestPipeline"/>,
/// with the workspace in <see cref="State"/>, the fault knobs in <see cref="Faults"/> and what
/// arrived in <see cref="Requests"/>.
/// </summary>
public sealed class FakeIntercomServer : IAsyncDisposable, IDisposable
{
    private readonly WebApplication _app;
    private readonly RequestLog _log;
    private readonly CancellationTokenSource _shutdown = new();
    private int _disposed;
    private int _openConnections;

    private FakeIntercomServer(WebApplication app, FakeIntercomOptions options)
    {
        _app = app;
        _log = new RequestLog(options.RecordRequests);
        Token = options.Token;
        SeededSampleData = options.SeedSampleData;
        Pipeline = new RequestPipeline(options, Faults, State, _log, _shutdown.Token);
        BaseUri = null!;
    }

    public Uri BaseUri { get; private set; }

    public string Token { get; }

    /// <summary>Whether the workspace started as <see cref="SampleData"/> (what the control surface's reset goes back to).</summary>
    public bool SeededSampleData { get; }

    public FakeIntercomState State { get; } = new();

    public FaultSettings Faults { get; } = new();

    private RequestPipeline Pipeline { get; }

    /// <summary>Snapshot of the completed requests, in arrival order (empty unless <see cref="FakeIntercomOptions.RecordRequests"/>).</summary>
    public IReadOnlyList<RecordedRequest> Requests => _log.Completed();

    /// <summary>Peak number of requests handled at once since start / <see cref="ResetLog"/>.</summary>
    public int MaxConcurrentRequests => _log.MaxConcurrent;

    /// <summary>TCP connections a client holds open to the fake now: what a client that closes its connection pool gives back.</summary>
    public int OpenConnections => Volatile.Read(ref _openConnections);

    /// <summary>Requests that arrived while the rate-limit window was exhausted (each got a 429).</summary>
    public int RequestsWhileExhausted => _log.RequestsWhileExhausted;

    /// <summary>
    /// Requests that arrived for one endpoint since start / <see cref="ResetLog"/>, whatever they were
    /// answered (401, 429 and scripted answers included), counted even when <see cref="FakeIntercomOptions.RecordRequests"/>
    /// is off. Endpoints are named by method and template: "POST /contacts/search", "GET /contacts",
    /// "GET /contacts/{id}", "GET /contacts/{id}/subscriptions", "POST /contacts/{id}/subscriptions",
    /// "DELETE /contacts/{id}/subscriptions/{typeId}", "GET /subscription_types"; a path no endpoint
    /// serves is counted under "METHOD /raw/path".
    /// </summary>
    public int CallCount(string endpoint) => _log.CallCount(endpoint);

    /// <summary>All of <see cref="CallCount"/> at once.</summary>
    public IReadOnlyDictionary<string, int> CallCounts => _log.CallCounts();

    /// <summary>
    /// What the simulated other client of the app (<see cref="FaultSettings.OtherClientRequestsPerWindow"/>)
    /// sent and had refused since start / <see cref="ResetLog"/>, up to now: in all, and per window in
    /// which the fake counted a request of ours (the latest thousand).
    /// </summary>
    public OtherClientCounts OtherClient => Pipeline.RateLimitWindow.OtherClient(Faults.GetRateLimit(), DateTimeOffset.UtcNow);

    /// <summary>Clears the request log, the call counts, <see cref="MaxConcurrentRequests"/>, <see cref="RequestsWhileExhausted"/> and <see cref="OtherClient"/>.</summary>
    public void ResetLog()
    {
        _log.Reset();
        Pipeline.RateLimitWindow.ResetOtherClientCounts();
    }

    public static async Task<FakeIntercomServer> StartAsync(FakeIntercomOptions? options = null)
    {
        options ??= new FakeIntercomOptions();
        if (options.Port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(options), "Port must be 0..65535.");

        // Set before Kestrel accepts its first connection, which the connection counter below needs.
        FakeIntercomServer? server = null;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = Array.Empty<string>(),
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, NoopHostLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, options.Port, lo =>
            {
                lo.Protocols = HttpProtocols.Http1;
                // Counted from accept to close, whatever the requests on it did.
                lo.Use(next => async connection =>
                {
                    Interlocked.Increment(ref server!._openConnections);
                    try
                    {
                        await next(connection).ConfigureAwait(false);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref server!._openConnections);
                    }
                });
            });
        });

        var app = builder.Build();
        server = new FakeIntercomServer(app, options);
        if (options.SeedSampleData) server.State.AddSampleData();
        // The control surface (/_fake/…) answers before the Intercom pipeline: it is no part of the API the module sees.
        var control = new ControlSurface(server);
        app.Run(ctx => ControlSurface.Owns(ctx.Request.Path) ? control.HandleAsync(ctx) : server.Pipeline.HandleAsync(ctx));

        await app.StartAsync().ConfigureAwait(false);

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var address = addresses?.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel did not report a listening address.");
        server.BaseUri = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try { _shutdown.Cancel(); } catch (ObjectDisposedException) { }
        try
        {
            using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(stopTimeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) { }
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The fake runs inside a test or a benchmark process: it must not hook the process's Ctrl+C or exit.</summary>
    private sealed class NoopHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
