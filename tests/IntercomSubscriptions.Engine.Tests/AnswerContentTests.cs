using System.Net;
using static IntercomSubscriptions.Engine.Tests.ScriptedHandler;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>What the engine accepts from a success answer, driven through the scripted handler.</summary>
public sealed class AnswerContentTests
{
    private const string Contact = "63a07ddf05a32042dffac965";
    private static readonly string[] OneEmail = ["a@example.com"];

    [Fact]
    public async Task A_change_answered_with_another_subscription_type_is_an_invalid_response()
    {
        using var h = new EngineHarness(Json(HttpStatusCode.OK, SubscriptionType("109")));
        var error = await h.Fails((client, events, ct) => client.AttachSubscriptionAsync(Contact, "108", "opt_out", events, ct));

        Assert.Equal(IntercomErrorKind.InvalidResponse, error.Kind);
        Assert.Equal(200, error.StatusCode);
        Assert.Contains("subscription type 109 when asked to change 108", error.Message);

        using var detach = new EngineHarness(Json(HttpStatusCode.OK, SubscriptionType("109")));
        error = await detach.Fails((client, events, ct) => client.DetachSubscriptionAsync(Contact, "108", events, ct));
        Assert.Equal(IntercomErrorKind.InvalidResponse, error.Kind);
    }

    [Fact]
    public async Task Control_characters_in_server_strings_are_escaped_before_they_reach_a_result()
    {
        const string type = """{"type":"subscription","id":"108","state":"live\u0007","consent_type":"opt_in","default_translation":{"name":"News\u001b[2Jletters","description":"a\u0007b","locale":"en\u001b"},"translations":[{"name":"\u001b]0;x\u0007","locale":"fr"}],"content_types":["email\u001b"]}""";
        using var h = new EngineHarness(Json(HttpStatusCode.OK, List(type)));
        var result = Assert.Single(await h.Drive((client, events, ct) => client.ListSubscriptionTypesAsync(events, ct)));

        Assert.Equal(@"News\u001b[2Jletters", result.DefaultTranslation!.Name);
        Assert.Equal(@"a\u0007b", result.DefaultTranslation.Description);
        Assert.Equal(@"en\u001b", result.DefaultTranslation.Locale);
        Assert.Equal(@"live\u0007", result.State);
        Assert.Equal(@"\u001b]0;x\u0007", Assert.Single(result.Translations).Name);
        Assert.Equal(@"email\u001b", Assert.Single(result.ContentTypes));

        const string contact = """{"type":"contact","id":"c1","email":"a\u001b@example.com","external_id":"x\u0007","role":"user\u009b"}""";
        using var search = new EngineHarness(Json(HttpStatusCode.OK, List(contact)));
        var found = Assert.Single(await search.Drive((client, events, ct) => client.SearchContactsAsync(ContactSearchField.Email, OneEmail, events, ct)));
        Assert.Equal(@"a\u001b@example.com", found.Email);
        Assert.Equal(@"x\u0007", found.ExternalId);
        Assert.Equal(@"user\u009b", found.Role);
    }
}
