using FakeIntercom.Json;
using FakeIntercom.Pipeline;

namespace FakeIntercom.Handlers;

/// <summary>GET /subscription_types: the workspace's subscription types, in the order they were added.</summary>
internal sealed class SubscriptionTypesHandler(FakeIntercomState state)
{
    public Task ListAsync(FakeExchange exchange) =>
        exchange.RespondJsonAsync(200, IntercomJson.List(state.SubscriptionTypes.Select(IntercomJson.SubscriptionType)));
}
