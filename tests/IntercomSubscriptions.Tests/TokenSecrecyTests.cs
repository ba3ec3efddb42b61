using System.Globalization;
using System.Management.Automation;
using System.Text;
using FakeIntercom;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// The token must never reach a stream, an error, an exception (inner ones included), $Error or
/// the connection's formatting — not even when every error kind happens with -Verbose -Debug on.
/// </summary>
public sealed class TokenSecrecyTests : IntercomTestBase
{

    private readonly string _canary = "canary-" + Guid.NewGuid().ToString("N");
    private readonly string _wrongCanary = "canary-wrong-" + Guid.NewGuid().ToString("N");
    private readonly string _forbiddenCanary = "canary-forbidden-" + Guid.NewGuid().ToString("N");
    private readonly List<ScriptResult> _results = new();

    protected override FakeIntercomOptions ServerOptions
    {
        get
        {
            var options = new FakeIntercomOptions { Token = _canary };
            options.ForbiddenTokens.Add(_forbiddenCanary);
            return options;
        }
    }

    private ScriptResult Step(string script, Dictionary<string, object?>? variables = null)
    {
        var result = Run(script, variables);
        _results.Add(result);
        return result;
    }

    private void Script(ScriptedResponse response) => Server.Faults.EnqueueScripted(response);

    [Fact]
    public void Every_cmdlet_and_every_error_kind_with_Verbose_and_Debug_never_shows_the_token()
    {
        var tokens = new Dictionary<string, object?> { ["token"] = _canary, ["baseUri"] = Server.BaseUri, ["wrong"] = _wrongCanary, ["forbidden"] = _forbiddenCanary };
        Step($$"""
            $VerbosePreference = 'Continue'
            $DebugPreference = 'Continue'
            $secure = {{SecureToken}}
            $conn = Connect-Intercom -BaseUri $baseUri -Token $secure -MaxRetries 1 -PassThru -Verbose -Debug
            # A one-second connection for the timeout below; its own first request may be slow on a busy machine.
            for ($try = 0; $try -lt 5 -and -not $slow; $try++) {
                try { $slow = Connect-Intercom -BaseUri $baseUri -Credential ([pscredential]::new('app', $secure)) -TimeoutSec 1 -MaxRetries 0 -PassThru -Verbose -Debug } catch { }
            }
            Connect-Intercom -BaseUri $baseUri -Token $secure -MaxRetries 1 -Verbose -Debug
            "$conn"
            "$slow"
            $conn.ToString()
            foreach ($p in $conn.PSObject.Properties) { "$($p.Name)=$($p.Value)" }
            $shown = Get-IntercomConnection -Verbose -Debug
            $shown
            "$shown"
            foreach ($p in $shown.PSObject.Properties) { "$($p.Name)=$($p.Value)" }
            """, tokens);
        Assert.Empty(_results[^1].Errors);

        Step($$"""
            Get-IntercomSubscriptionType -Verbose -Debug
            Get-IntercomSubscriptionType -Connection $conn -Name 'News*' -Verbose -Debug
            Get-IntercomContactSubscription -ContactId {{Ada}} -Verbose -Debug
            Add-IntercomContactSubscription -ContactId {{Grace}} -SubscriptionId 108 -Consent opt_in -Verbose -Debug
            Remove-IntercomContactSubscription -ContactId {{Grace}} -SubscriptionId 108 -PassThru -Confirm:$false -Verbose -Debug
            """);

        // 404 contact, 404 type.
        Step($"Add-IntercomContactSubscription -ContactId nobody-here -SubscriptionId 108 -Consent opt_in -Verbose -Debug");
        Step($"Add-IntercomContactSubscription -ContactId {Ada} -SubscriptionId 999 -Consent opt_in -Verbose -Debug");
        // 400, including one whose message echoes the Authorization header back (as some proxies do).
        Script(new ScriptedResponse(400, """{"type":"error.list","request_id":"req-400","errors":[{"code":"parameter_invalid","message":"Bad consent"}]}""") { PathContains = Grace });
        Script(new ScriptedResponse(400, $$"""{"type":"error.list","request_id":"req-echo","errors":[{"code":"parameter_invalid","message":"You sent Authorization: Bearer {{_canary}}"}]}""") { PathContains = Ada });
        Step($"Add-IntercomContactSubscription -ContactId {Grace},{Ada} -SubscriptionId 108 -Consent opt_in -Verbose -Debug");
        // 5xx after its retry, a dropped connection after its retry, invalid JSON.
        Script(new ScriptedResponse(500, """{"type":"error.list","errors":[{"code":"server_error","message":"Server Error"}]}""") { PathContains = Grace, Times = 2 });
        Step($"Get-IntercomContactSubscription -ContactId {Ada},{Grace} -Verbose -Debug");
        Script(new ScriptedResponse(200, null) { PathContains = Ada, DropConnection = true, Times = 2 });
        Script(new ScriptedResponse(200, "{\"type\":\"list\",\"data\":[") { PathContains = Grace });
        Step($"Get-IntercomContactSubscription -ContactId {Ada},{Grace} -Verbose -Debug");
        // 429 until the retries run out (Retry-After 0 keeps it quick).
        Script(new ScriptedResponse(429, """{"type":"error.list","errors":[{"code":"rate_limit_exceeded","message":"Exceeded rate limit"}]}""")
            { PathContains = Ada, Times = 50, Headers = new Dictionary<string, string> { ["Retry-After"] = "0" } });
        Step($"Get-IntercomContactSubscription -ContactId {Ada} -Verbose -Debug");
        Assert.True(Server.Faults.PendingScriptedCount > 0, "the 429s ran out before the client gave up");
        Server.Faults.Reset();
        // 401 mid-session (last on this connection: after it, nothing more is sent), Grace refused without a request.
        Script(new ScriptedResponse(401, """{"type":"error.list","errors":[{"code":"unauthorized","message":"Access Token Invalid"}]}""") { PathContains = Ada });
        Step($"Get-IntercomContactSubscription -ContactId {Ada},{Grace} -Verbose -Debug");
        // Timeout through the one-second connection.
        Script(new ScriptedResponse(200, "{}") { PathContains = Ada, DelayMs = 10_000 });
        Step($"Get-IntercomContactSubscription -Connection $slow -ContactId {Ada} -Verbose -Debug");
        // 401 and 403 at connect time, with wrong tokens that must not show either.
        Step($"""
            Connect-Intercom -BaseUri $baseUri -Token {SecureString("$wrong")} -Verbose -Debug
            Connect-Intercom -BaseUri $baseUri -Credential ([pscredential]::new('app', {SecureString("$forbidden")})) -Verbose -Debug
            """, tokens);
        // After a disconnect: the not-connected errors and the closed connection's formatting.
        Step($$"""
            Disconnect-Intercom -Verbose -Debug
            Get-IntercomConnection -Verbose -Debug
            Get-IntercomContactSubscription -ContactId {{Ada}} -Verbose -Debug
            "$conn"
            foreach ($p in $conn.PSObject.Properties) { "$($p.Name)=$($p.Value)" }
            """);
        var errorVariable = Step("$Error");

        var ids = _results.SelectMany(r => r.Errors).Select(e => e.FullyQualifiedErrorId.Split(',')[0]).ToHashSet();
        foreach (var expected in new[]
                 {
                     "IntercomUnauthorized", "IntercomForbidden", "IntercomContactNotFound", "IntercomSubscriptionTypeNotFound",
                     "IntercomInvalidRequest", "IntercomRateLimited", "IntercomServerError", "IntercomConnectionFailed",
                     "IntercomTimeout", "IntercomInvalidResponse", "IntercomNotConnected",
                 })
        {
            Assert.Contains(expected, ids);
        }
        Assert.NotEmpty(_results.SelectMany(r => r.Debug));
        Assert.NotEmpty(errorVariable.Output);

        var text = new StringBuilder();
        foreach (var result in _results)
        {
            text.AppendLine(result.AllText());
            foreach (var error in result.Errors) text.AppendLine(Describe(error));
            foreach (var item in result.Output)
            {
                text.AppendLine(item.ToString());
                if (item.BaseObject is ErrorRecord record) text.AppendLine(Describe(record));
                if (item.BaseObject is Exception exception) text.AppendLine(exception.ToString());
                foreach (var property in item.Properties)
                {
                    try { text.AppendLine(property.Name + "=" + property.Value); }
                    catch (GetValueException) { }
                }
            }
        }
        var all = text.ToString();
        foreach (var secret in new[] { _canary, _wrongCanary, _forbiddenCanary })
        {
            Assert.DoesNotContain(secret, all);
            Assert.DoesNotContain(secret[^20..], all); // not a long tail of it either (the mask shows four characters)
        }

        // The server saw the tokens, in the Authorization header only.
        var requests = Server.Requests;
        Assert.Contains(requests, r => r.Authorization == "Bearer " + _canary);
        foreach (var request in requests)
        {
            var elsewhere = string.Join("\n", request.RawPath, request.Query, request.Body, request.IntercomVersion);
            Assert.DoesNotContain("canary", elsewhere);
        }
    }

    [Fact]
    public void A_message_from_the_server_that_echoes_the_token_is_redacted()
    {
        Connect("-MaxRetries 0");
        Server.Faults.EnqueueScripted(new ScriptedResponse(403,
            $$"""{"type":"error.list","request_id":"req-echo","errors":[{"code":"token_{{_canary}}","message":"Token {{_canary}} lacks the scope"}]}""") { PathContains = Ada });

        var result = Run($"Get-IntercomContactSubscription -ContactId {Ada}");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomForbidden,", error.FullyQualifiedErrorId);
        Assert.Contains("req-echo", error.ErrorDetails.Message);
        Assert.Contains("lacks the scope", error.ErrorDetails.Message);
        Assert.DoesNotContain(_canary, Describe(error));
    }

    [Fact]
    public void The_connection_object_shows_only_a_masked_hint_of_the_token()
    {
        Connect();
        var result = Run("""
            $c = Get-IntercomConnection
            "$c"
            $c.MaskedToken
            """);
        Assert.Empty(result.Errors);
        var lines = result.Output.Select(o => o.ToString()).ToList();
        Assert.Equal("****" + _canary[^4..], lines[1]);
        Assert.DoesNotContain(_canary, string.Join("\n", lines));
    }

    /// <summary>Everything an ErrorRecord can show: message, details, advice, the exception chain with stack traces, positions.</summary>
    internal static string Describe(ErrorRecord error)
    {
        var text = new StringBuilder();
        text.AppendLine(error.ToString());
        text.AppendLine(error.FullyQualifiedErrorId);
        text.AppendLine(error.CategoryInfo.ToString());
        text.AppendLine(error.ErrorDetails?.Message);
        text.AppendLine(error.ErrorDetails?.RecommendedAction);
        text.AppendLine(error.TargetObject?.ToString());
        text.AppendLine(error.ScriptStackTrace);
        text.AppendLine(error.InvocationInfo?.PositionMessage);
        for (var exception = error.Exception; exception is not null; exception = exception.InnerException)
        {
            text.AppendLine(exception.ToString());
            foreach (System.Collections.DictionaryEntry entry in exception.Data)
                text.AppendLine(CultureInfo.InvariantCulture, $"{entry.Key}={entry.Value}");
            if (exception is IContainsErrorRecord inner && !ReferenceEquals(inner.ErrorRecord, error))
                text.AppendLine(inner.ErrorRecord.ToString());
        }
        return text.ToString();
    }
}
