using System.Net.Http;
using Microsoft.Extensions.Http;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// The connection's handler pipeline, built the way IHttpClientFactory builds a named client's (its
/// <see cref="HttpMessageHandlerBuilder"/>), without a service container or handler rotation: a
/// connection keeps one primary handler for its life, because its connection pool is what the
/// connection limit applies to. Outermost first: <see cref="RetryHandler"/> (which attempts a call
/// makes), <see cref="AttemptHandler"/> (when each may go and how long it may take, the answer read
/// to its end), <see cref="CountingHandler"/> (what reached the network), then the primary handler.
/// </summary>
internal sealed class IntercomHandlerPipeline : HttpMessageHandlerBuilder
{
    public IntercomHandlerPipeline(HttpMessageHandler primaryHandler, params DelegatingHandler[] handlers)
    {
        PrimaryHandler = primaryHandler;
        foreach (var handler in handlers)
            AdditionalHandlers.Add(handler);
    }

    public override string? Name { get; set; } = "Intercom";

    public override HttpMessageHandler PrimaryHandler { get; set; }

    public override IList<DelegatingHandler> AdditionalHandlers { get; } = new List<DelegatingHandler>();

    public override HttpMessageHandler Build() => CreateHandlerPipeline(PrimaryHandler, AdditionalHandlers);
}
