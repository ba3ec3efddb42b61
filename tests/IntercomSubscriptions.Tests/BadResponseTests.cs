using System.Management.Automation;
using FakeIntercom;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// Answers that are not what Intercom sends (a proxy's HTML page, cut-off or broken JSON, an
/// enormous body, no answer at all) fail only the record they belong to, with an error that keeps
/// the status and request_id; the rest of the batch goes through.
/// </summary>
public sealed class BadResponseTests : IntercomTestBase
{

    private static Dictionary<string, string> RequestId(string id) => new() { ["X-Request-Id"] = id };

    public static TheoryData<string> BadAnswers => new()
    {
        "html-502", "html-200", "truncated-json", "invalid-json", "empty-200", "json-array", "no-data-list", "deeply-nested", "huge-body",
    };

    private static (ScriptedResponse Response, string ErrorId, int Status, string Says) BadAnswer(string name) => name switch
    {
        "html-502" => (new ScriptedResponse(502, "<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>", "text/html") { Headers = RequestId("req-html-502") },
            "IntercomServerError", 502, "text/html"),
        "html-200" => (new ScriptedResponse(200, "<html><body>Please log in to the corporate proxy</body></html>", "text/html") { Headers = RequestId("req-html-200") },
            "IntercomInvalidResponse", 200, "text/html"),
        "truncated-json" => (new ScriptedResponse(200, """{"type":"list","data":[{"type":"subscription","id":"108","sta""") { Headers = RequestId("req-truncated") },
            "IntercomInvalidResponse", 200, "not valid JSON"),
        "invalid-json" => (new ScriptedResponse(200, """{"type": list, "data": [}""") { Headers = RequestId("req-invalid") },
            "IntercomInvalidResponse", 200, "not valid JSON"),
        "empty-200" => (new ScriptedResponse(200, null) { Headers = RequestId("req-empty") },
            "IntercomInvalidResponse", 200, "empty body"),
        "json-array" => (new ScriptedResponse(200, "[1,2,3]") { Headers = RequestId("req-array") },
            "IntercomInvalidResponse", 200, "not an object"),
        "no-data-list" => (new ScriptedResponse(200, """{"type":"list","data":"nope"}""") { Headers = RequestId("req-nodata") },
            "IntercomInvalidResponse", 200, "'data'"),
        "deeply-nested" => (new ScriptedResponse(200, "{\"data\":" + new string('[', 5000) + new string(']', 5000) + "}") { Headers = RequestId("req-deep") },
            "IntercomInvalidResponse", 200, "not valid JSON"),
        "huge-body" => (new ScriptedResponse(200, "{\"type\":\"list\",\"data\":[],\"pad\":\"" + new string('x', 17 * 1024 * 1024) + "\"}") { Headers = RequestId("req-huge") },
            "IntercomInvalidResponse", 200, "16 MiB"),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(BadAnswers))]
    public void A_bad_answer_fails_its_record_only_with_the_status_and_request_id(string name)
    {
        var (response, errorId, status, says) = BadAnswer(name);
        Connect("-MaxRetries 0");
        Server.Faults.EnqueueScripted(response with { PathContains = Grace });
        Server.State.SetChoice(Ada, "108", "opt_in");
        Server.State.SetChoice(SharedEmailUser, "110", "opt_in");

        var result = Run($$"""
            @(
                [pscustomobject]@{ contact_id = '{{Ada}}' }
                [pscustomobject]@{ contact_id = '{{Grace}}' }
                [pscustomobject]@{ contact_id = '{{SharedEmailUser}}' }
            ) | Get-IntercomContactSubscription
            """);

        Assert.Equal(new[] { Ada, Ada, SharedEmailUser }, result.Objects("IntercomSubscriptions.ContactSubscription").Select(o => (string)o.ContactId));
        var error = Assert.Single(result.Errors);
        Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId);
        Assert.Equal(Grace, ((PSObject)error.TargetObject).Properties["contact_id"].Value);
        var message = error.ErrorDetails.Message;
        Assert.Contains(Grace, message);
        Assert.Contains($"HTTP {status}", message);
        Assert.Contains("request_id " + response.Headers!["X-Request-Id"], message);
        Assert.Contains(says, message);
        Assert.DoesNotContain("<html", message); // the proxy's page is described, not pasted
    }

    [Fact]
    public void Unknown_fields_and_enum_values_are_kept_as_strings()
    {
        Connect("-MaxRetries 0");
        const string odd = """
            {"type":"subscription","id":"108","state":"paused","consent_type":"double_opt_in","content_types":["carrier_pigeon","email"],
             "brand_new_field":{"nested":[1,2,{"x":null}]},"another":12.5,
             "default_translation":{"name":"Pigeon post","description":null,"locale":"en","tone":"formal"},
             "translations":[{"name":"Pigeon post","locale":"en"},"not an object",7]}
            """;
        Server.Faults.EnqueueScripted(new ScriptedResponse(200, odd) { PathContains = Grace, Method = "POST" });
        Server.Faults.EnqueueScripted(new ScriptedResponse(200, "{\"type\":\"list\",\"data\":[" + odd + "],\"extra\":true}") { PathContains = "subscription_types" });

        var result = Run($$"""
            Add-IntercomContactSubscription -ContactId {{Ada}},{{Grace}} -SubscriptionId 108 -Consent opt_in
            Get-IntercomSubscriptionType
            """);

        Assert.Empty(result.Errors);
        var subscriptions = result.Objects("IntercomSubscriptions.ContactSubscription").ToList();
        Assert.Equal(2, subscriptions.Count);
        Assert.True(subscriptions[0].Subscribed);
        var pigeon = subscriptions[1];
        Assert.Equal(Grace, pigeon.ContactId);
        Assert.Equal("paused", pigeon.State);
        Assert.Equal("double_opt_in", pigeon.ConsentType);
        Assert.Equal(["carrier_pigeon", "email"], (IEnumerable<string>)pigeon.ContentTypes);
        Assert.Equal("Pigeon post", pigeon.Name);
        Assert.Null(pigeon.Subscribed); // a consent model the module does not know: it does not guess
        var type = Assert.Single(result.Objects("IntercomSubscriptions.SubscriptionType"));
        Assert.Equal("paused", type.State);
        Assert.Equal("double_opt_in", type.ConsentType);
    }

    [Fact]
    public void A_server_that_never_answers_times_out_that_record_and_the_batch_goes_on()
    {
        // The connection's own first request may take a second on a busy machine: try a few times.
        var connect = Run($$"""for ($try = 0; $try -lt 5 -and -not $c; $try++) { try { $c = Connect-Intercom -BaseUri $baseUri -Token {{SecureToken}} -TimeoutSec 1 -MaxRetries 0 -PassThru } catch { } }; [bool]$c""",
            new() { ["baseUri"] = Server.BaseUri, ["token"] = Server.Token });
        Assert.Equal(true, connect.Output[^1].BaseObject);
        Server.Faults.EnqueueScripted(new ScriptedResponse(200, "{}") { PathContains = Grace, DelayMs = 60_000 });

        var result = Run($"Add-IntercomContactSubscription -ContactId {Ada},{Grace},{SharedEmailUser} -SubscriptionId 108 -Consent opt_in");

        Assert.Equal(new[] { Ada, SharedEmailUser }, result.Objects("IntercomSubscriptions.ContactSubscription").Select(o => (string)o.ContactId));
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomTimeout,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.OperationTimeout, error.CategoryInfo.Category);
        Assert.Equal(Grace, error.TargetObject);
        Assert.Contains("1 s", error.ErrorDetails.Message);
        Assert.Contains("-TimeoutSec", error.ErrorDetails.RecommendedAction);
    }

    [Fact]
    public void An_error_message_from_the_server_is_made_printable_and_kept_short()
    {
        Connect("-MaxRetries 0");
        var message = "Bad\u001b[31m red \u0007bell\r\nInjected: line " + new string('z', 5000);
        Server.Faults.EnqueueScripted(new ScriptedResponse(400,
            System.Text.Json.JsonSerializer.Serialize(new { type = "error.list", request_id = "req-ansi", errors = new[] { new { code = "parameter_invalid", message } } }))
            { PathContains = Grace });

        var result = Run($"Add-IntercomContactSubscription -ContactId {Ada},{Grace} -SubscriptionId 108 -Consent opt_in");

        Assert.Single(result.Objects("IntercomSubscriptions.ContactSubscription"));
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomInvalidRequest,", error.FullyQualifiedErrorId);
        var text = error.ErrorDetails.Message;
        Assert.Contains("request_id req-ansi", text);
        Assert.Contains("Bad", text);
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u0007', text);
        Assert.DoesNotContain('\n', text);
        Assert.True(text.Length < 1000, $"the message is {text.Length} characters long");
    }

    [Fact]
    public void Exhausted_429_retries_give_a_LimitsExceeded_error_with_the_request_id()
    {
        Connect("-MaxRetries 0");
        Server.Faults.EnqueueScripted(new ScriptedResponse(429,
            """{"type":"error.list","request_id":"req-429","errors":[{"code":"rate_limit_exceeded","message":"Exceeded rate limit"}]}""")
            { PathContains = Grace, Times = 100, Headers = new Dictionary<string, string> { ["Retry-After"] = "0" } });

        var result = Run($"Get-IntercomContactSubscription -ContactId {Ada},{Grace}");

        Assert.Equal(new[] { Ada }, result.Objects("IntercomSubscriptions.ContactSubscription").Select(o => (string)o.ContactId));
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomRateLimited,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.LimitsExceeded, error.CategoryInfo.Category);
        Assert.Contains("HTTP 429", error.ErrorDetails.Message);
        Assert.Contains("request_id req-429", error.ErrorDetails.Message);
        Assert.True(Server.Faults.PendingScriptedCount > 0);
    }
}
