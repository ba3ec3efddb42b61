using System.Text.Json;
using FakeIntercom.Json;
using FakeIntercom.Pipeline;

namespace FakeIntercom.Handlers;

/// <summary>A contact's explicit subscription choices: list (GET), attach (POST) and detach (DELETE).</summary>
internal sealed class ContactSubscriptionsHandler(FakeIntercomState state, FaultSettings faults)
{
    public async Task ListAsync(FakeExchange exchange, string contactId)
    {
        var types = state.TypesWithChoices(contactId);
        if (types is null)
        {
            await exchange.RespondErrorAsync(404, "not_found", "User Not Found").ConfigureAwait(false);
            return;
        }
        await exchange.RespondJsonAsync(200, IntercomJson.List(types.Select(IntercomJson.SubscriptionType))).ConfigureAwait(false);
    }

    public async Task AttachAsync(FakeExchange exchange, string contactId)
    {
        if (RequestBody.ParseObject(exchange.Body) is not { } root)
        {
            await exchange.RespondErrorAsync(400, "parameter_invalid", "Invalid JSON body").ConfigureAwait(false);
            return;
        }

        string? typeId = null;
        if (root.TryGetProperty("id", out var idEl))
        {
            switch (idEl.ValueKind)
            {
                case JsonValueKind.String: typeId = idEl.GetString(); break;
                case JsonValueKind.Number: typeId = idEl.GetRawText(); break;
                case JsonValueKind.Null: break;
                default:
                    await exchange.RespondErrorAsync(400, "parameter_invalid", "id must be a string").ConfigureAwait(false);
                    return;
            }
        }
        if (string.IsNullOrEmpty(typeId))
        {
            await exchange.RespondErrorAsync(400, "missing_parameter", "id is missing").ConfigureAwait(false);
            return;
        }

        string? consent = null;
        if (root.TryGetProperty("consent_type", out var ctEl))
        {
            switch (ctEl.ValueKind)
            {
                case JsonValueKind.String: consent = ctEl.GetString(); break;
                case JsonValueKind.Null: break;
                default:
                    await exchange.RespondErrorAsync(400, "parameter_invalid", "consent_type must be opt_in or opt_out").ConfigureAwait(false);
                    return;
            }
        }
        if (string.IsNullOrEmpty(consent))
        {
            await exchange.RespondErrorAsync(400, "missing_parameter", "consent_type is missing").ConfigureAwait(false);
            return;
        }
        if (consent is not ("opt_in" or "opt_out"))
        {
            await exchange.RespondErrorAsync(400, "parameter_invalid", "consent_type must be opt_in or opt_out").ConfigureAwait(false);
            return;
        }

        var result = state.TrySetChoice(contactId, typeId, consent, out var type);
        await RespondAsync(exchange, result, type).ConfigureAwait(false);
    }

    public Task DetachAsync(FakeExchange exchange, string contactId, string typeId)
    {
        var result = state.TryRemoveChoice(contactId, typeId, out var type);
        return RespondAsync(exchange, result, type);
    }

    private Task RespondAsync(FakeExchange exchange, FakeIntercomState.ChoiceResult result, SubscriptionTypeRecord? type) => result switch
    {
        FakeIntercomState.ChoiceResult.UnknownContact => exchange.RespondErrorAsync(404, "not_found", "User Not Found"),
        FakeIntercomState.ChoiceResult.UnknownType => exchange.RespondErrorAsync(404, "not_found", "Resource Not Found"),
        _ => exchange.RespondJsonAsync(200, IntercomJson.SubscriptionType(AnsweredType(type!))),
    };

    /// <summary>The type the answer names: the one changed, unless <see cref="FaultSettings.AnswerTypeIdInstead"/> says otherwise.</summary>
    private SubscriptionTypeRecord AnsweredType(SubscriptionTypeRecord changed) =>
        faults.AnsweredTypeIdFor(changed.Id) is { } other
            ? state.SubscriptionTypes.FirstOrDefault(t => t.Id == other) ?? changed with { Id = other }
            : changed;
}
