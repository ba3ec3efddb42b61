using System.Net.Http;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// The named HttpClient a connection sends through, registered with IHttpClientFactory: base address,
/// the headers every call carries, and the primary handler (the real one, or a test's).
/// </summary>
internal sealed class IntercomHttpRegistration : IDisposable
{
    private const string ClientName = "Intercom";
    private readonly ServiceProvider _services;

    public IntercomHttpRegistration(IntercomClientOptions options, Func<HttpMessageHandler>? primaryHandler)
    {
        var services = new ServiceCollection();
        services.AddHttpClient(ClientName, client =>
            {
                client.BaseAddress = options.BaseUri;
                // Each attempt has its own timeout (the transport's); the client's would cut retries short.
                client.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                client.DefaultRequestHeaders.TryAddWithoutValidation("Intercom-Version", options.ApiVersion);
                client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", options.UserAgent);
            })
            // Counts attempts for a caller's run summary (RequestCounts); passes through otherwise.
            .AddHttpMessageHandler(() => new CountingHandler())
            .ConfigurePrimaryHttpMessageHandler(primaryHandler ?? (() => PrimaryHandlerFactory.Create(options)))
            // One handler for the connection's life: its connection pool is what the connection limit applies to.
            .SetHandlerLifetime(System.Threading.Timeout.InfiniteTimeSpan);
        _services = services.BuildServiceProvider();
        Client = _services.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);
    }

    public HttpClient Client { get; }

    public void Dispose()
    {
        Client.Dispose();
        _services.Dispose();
    }
}
