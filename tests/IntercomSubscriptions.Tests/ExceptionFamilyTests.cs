using System.Management.Automation;
using FakeIntercom;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// One exception family: every failure the module reports, whether Intercom answered it or the
/// module found it first, is an IntercomSubscriptions.IntercomException that one catch names, by
/// contact id and by email alike, and carries its error id, kind, HTTP status, request_id and the
/// contact the record named. The ids are written here as literals: they are the public contract,
/// so a changed id must fail a test.
/// </summary>
public sealed class ExceptionFamilyTests : IntercomTestBase
{
    private const string MissingContact = "63a07ddf05a32042dffac999";

    private static ScriptedResponse OnWrite(int status, string code, string message) =>
        new(status, $$"""{"type":"error.list","request_id":"req-{{status}}","errors":[{"code":"{{code}}","message":"{{message}}"}]}""")
        {
            Method = "POST",
            PathContains = "/subscriptions",
            Headers = status == 429 ? new Dictionary<string, string> { ["Retry-After"] = "0" } : null,
            // A 429 is waited out and sent again however -MaxRetries is set: enough of them outlast the wait.
            Times = status == 429 ? 100 : 1,
        };

    /// <summary>A failure, how to cause it, and what the catch sees: ErrorId|Kind|StatusCode|has request_id|ContactKey|the ErrorRecord's id.</summary>
    private sealed record Failure(string Command, string Expected, ScriptedResponse? Scripted = null, string ConnectExtra = "-MaxRetries 0");

    private static readonly Dictionary<string, Failure> Failures = new()
    {
        ["contact not found, by id"] = new($"Add-IntercomContactSubscription -ContactId {MissingContact} -SubscriptionId 108",
            $"IntercomContactNotFound|ContactNotFound|404|True|{MissingContact}|IntercomContactNotFound"),
        ["contact not found, by email"] = new("Add-IntercomContactSubscription -Email nobody@example.com -SubscriptionId 108",
            "IntercomContactNotFound|ContactNotFound||False|nobody@example.com|IntercomContactNotFound"),
        ["contact not found, by external id"] = new("Add-IntercomContactSubscription -ExternalId no-such-user -SubscriptionId 108",
            "IntercomContactNotFound|ContactNotFound||False|no-such-user|IntercomContactNotFound"),
        ["contact ambiguous, by email"] = new($"Add-IntercomContactSubscription -Email {SharedEmail} -SubscriptionId 108",
            $"IntercomContactAmbiguous|ContactAmbiguous||False|{SharedEmail}|IntercomContactAmbiguous"),
        ["rate limited, by id"] = new($"Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId 108",
            $"IntercomRateLimited|RateLimited|429|True|{Grace}|IntercomRateLimited", OnWrite(429, "rate_limit_exceeded", "Exceeded rate limit")),
        ["rate limited, by email"] = new($"Add-IntercomContactSubscription -Email {GraceEmail} -SubscriptionId 108",
            $"IntercomRateLimited|RateLimited|429|True|{GraceEmail}|IntercomRateLimited", OnWrite(429, "rate_limit_exceeded", "Exceeded rate limit")),
        ["server error, by id"] = new($"Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId 108",
            $"IntercomServerError|ServerError|503|True|{Grace}|IntercomServerError", OnWrite(503, "service_unavailable", "down")),
        ["server error, by email"] = new($"Add-IntercomContactSubscription -Email {GraceEmail} -SubscriptionId 108",
            $"IntercomServerError|ServerError|503|True|{GraceEmail}|IntercomServerError", OnWrite(503, "service_unavailable", "down")),
        ["unauthorized, by id"] = new($"Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId 108",
            $"IntercomUnauthorized|Unauthorized|401|True|{Grace}|IntercomUnauthorized", OnWrite(401, "unauthorized", "Access Token Invalid")),
        ["unauthorized, by email"] = new($"Add-IntercomContactSubscription -Email {GraceEmail} -SubscriptionId 108",
            $"IntercomUnauthorized|Unauthorized|401|True|{GraceEmail}|IntercomUnauthorized", OnWrite(401, "unauthorized", "Access Token Invalid")),
        ["forbidden, by id"] = new($"Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId 108",
            $"IntercomForbidden|Forbidden|403|True|{Grace}|IntercomForbidden", OnWrite(403, "action_forbidden", "Not allowed")),
        ["forbidden, by email"] = new($"Add-IntercomContactSubscription -Email {GraceEmail} -SubscriptionId 108",
            $"IntercomForbidden|Forbidden|403|True|{GraceEmail}|IntercomForbidden", OnWrite(403, "action_forbidden", "Not allowed")),
        ["invalid request, by id"] = new($"Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId 108",
            $"IntercomInvalidRequest|InvalidRequest|422|True|{Grace}|IntercomInvalidRequest", OnWrite(422, "parameter_invalid", "Invalid consent")),
        ["invalid request, by email"] = new($"Add-IntercomContactSubscription -Email {GraceEmail} -SubscriptionId 108",
            $"IntercomInvalidRequest|InvalidRequest|422|True|{GraceEmail}|IntercomInvalidRequest", OnWrite(422, "parameter_invalid", "Invalid consent")),
        ["timeout, by id"] = new($"Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId 108",
            $"IntercomTimeout|Timeout|408|True|{Grace}|IntercomTimeout", OnWrite(408, "request_timeout", "Request Timeout")),
        ["timeout, by email"] = new($"Add-IntercomContactSubscription -Email {GraceEmail} -SubscriptionId 108",
            $"IntercomTimeout|Timeout|408|True|{GraceEmail}|IntercomTimeout", OnWrite(408, "request_timeout", "Request Timeout")),
        ["connection failed, by id"] = new($"Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId 108",
            $"IntercomConnectionFailed|ConnectionFailed||False|{Grace}|IntercomConnectionFailed",
            new ScriptedResponse(0, null) { Method = "POST", PathContains = "/subscriptions", DropConnection = true }),
        ["connection failed, by email"] = new($"Add-IntercomContactSubscription -Email {GraceEmail} -SubscriptionId 108",
            $"IntercomConnectionFailed|ConnectionFailed||False|{GraceEmail}|IntercomConnectionFailed",
            new ScriptedResponse(0, null) { Method = "POST", PathContains = "/subscriptions", DropConnection = true }),
        ["invalid response, by id"] = new($"Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId 108",
            $"IntercomInvalidResponse|InvalidResponse|200|True|{Grace}|IntercomInvalidResponse",
            new ScriptedResponse(200, "<html>login</html>", "text/html") { Method = "POST", PathContains = "/subscriptions" }),
        ["invalid response, by email"] = new($"Add-IntercomContactSubscription -Email {GraceEmail} -SubscriptionId 108",
            $"IntercomInvalidResponse|InvalidResponse|200|True|{GraceEmail}|IntercomInvalidResponse",
            new ScriptedResponse(200, "<html>login</html>", "text/html") { Method = "POST", PathContains = "/subscriptions" }),
        ["subscription type unknown to Intercom, by id"] = new($"Remove-IntercomContactSubscription -ContactId {Grace} -SubscriptionId 999 -Confirm:$false",
            $"IntercomSubscriptionTypeNotFound|SubscriptionTypeNotFound|404|True|{Grace}|IntercomSubscriptionTypeNotFound"),
        ["subscription type unknown to Intercom, by email"] = new($"Remove-IntercomContactSubscription -Email {GraceEmail} -SubscriptionId 999 -Confirm:$false",
            $"IntercomSubscriptionTypeNotFound|SubscriptionTypeNotFound|404|True|{GraceEmail}|IntercomSubscriptionTypeNotFound"),
        ["subscription type name unknown, by id"] = new($"Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionName 'No such type'",
            "IntercomSubscriptionTypeNotFound|SubscriptionTypeNotFound||False||IntercomSubscriptionTypeNotFound"),
        ["subscription type name unknown, by email"] = new($"Add-IntercomContactSubscription -Email {GraceEmail} -SubscriptionName 'No such type'",
            "IntercomSubscriptionTypeNotFound|SubscriptionTypeNotFound||False||IntercomSubscriptionTypeNotFound"),
        ["subscription type id unknown to Get-IntercomSubscriptionType"] = new("Get-IntercomSubscriptionType -Id 999",
            "IntercomSubscriptionTypeNotFound|SubscriptionTypeNotFound||False||IntercomSubscriptionTypeNotFound"),
        ["consent mismatch, by id"] = new($"Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId 108 -Consent opt_out",
            "IntercomConsentMismatch|InvalidInput||False||IntercomConsentMismatch"),
        ["consent mismatch, by email"] = new($"Add-IntercomContactSubscription -Email {GraceEmail} -SubscriptionId 108 -Consent opt_out",
            "IntercomConsentMismatch|InvalidInput||False||IntercomConsentMismatch"),
        ["contact conflict, id and email"] = new($"Add-IntercomContactSubscription -ContactId {Ada} -Email {GraceEmail} -SubscriptionId 108",
            $"IntercomContactConflict|InvalidInput||False|{Ada}|IntercomContactConflict"),
        ["contact conflict, several ids and an email"] = new($"Add-IntercomContactSubscription -ContactId {Ada},{Grace} -Email {GraceEmail} -SubscriptionId 108",
            "IntercomContactConflict|InvalidInput||False||IntercomContactConflict"),
        ["subscription type conflict, by id"] = new($"Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId 108 -SubscriptionName 'SMS offers'",
            "IntercomSubscriptionTypeConflict|InvalidInput||False||IntercomSubscriptionTypeConflict"),
        ["subscription type conflict, by email"] = new($"Add-IntercomContactSubscription -Email {GraceEmail} -SubscriptionId 108 -SubscriptionName 'SMS offers'",
            "IntercomSubscriptionTypeConflict|InvalidInput||False||IntercomSubscriptionTypeConflict"),
        ["contact column missing"] = new("[pscustomobject]@{ colour = 'blue' } | Add-IntercomContactSubscription -SubscriptionId 108",
            "IntercomContactColumnMissing|InvalidInput||False||IntercomContactColumnMissing"),
        ["subscription column missing, by id"] = new($"[pscustomobject]@{{ contact_id = '{Grace}' }} | Add-IntercomContactSubscription",
            "IntercomSubscriptionColumnMissing|InvalidInput||False||IntercomSubscriptionColumnMissing"),
        ["subscription column missing, by email"] = new($"[pscustomobject]@{{ email = '{GraceEmail}' }} | Add-IntercomContactSubscription",
            "IntercomSubscriptionColumnMissing|InvalidInput||False||IntercomSubscriptionColumnMissing"),
        ["state column missing, by id"] = new($"[pscustomobject]@{{ contact_id = '{Grace}'; subscription_id = '108' }} | Set-IntercomContactSubscription",
            "IntercomStateColumnMissing|InvalidInput||False||IntercomStateColumnMissing"),
        ["state column missing, by email"] = new($"[pscustomobject]@{{ email = '{GraceEmail}'; subscription_id = '108' }} | Set-IntercomContactSubscription",
            "IntercomStateColumnMissing|InvalidInput||False||IntercomStateColumnMissing"),
        ["invalid argument, empty id"] = new("Add-IntercomContactSubscription -ContactId '' -SubscriptionId 108",
            "IntercomInvalidArgument|InvalidInput||False||IntercomInvalidArgument"),
        ["invalid argument, piped email too long"] = new("[pscustomobject]@{ email = ('x' * 330) + '@example.com' } | Add-IntercomContactSubscription -SubscriptionId 108",
            "IntercomInvalidArgument|InvalidInput||False||IntercomInvalidArgument"),
        ["not connected"] = new("Disconnect-Intercom; Get-IntercomSubscriptionType",
            "IntercomNotConnected|NotConnected||False||IntercomNotConnected"),
        ["connection closed"] = new($"$c = Connect-Intercom -BaseUri $uri -Token {SecureToken} -PassThru; Disconnect-Intercom -Connection $c; Get-IntercomContactSubscription -Email {GraceEmail} -Connection $c",
            "IntercomConnectionClosed|ConnectionClosed||False||IntercomConnectionClosed"),
        ["journal that cannot be written"] = new($"Add-IntercomContactSubscription -ContactId {Grace} -SubscriptionId 108 -JournalPath (Join-Path ([IO.Path]::GetTempPath()) 'no-such-folder-{Guid.NewGuid():N}/j.jsonl')",
            "IntercomJournalFailed|JournalFailed||False||IntercomJournalFailed"),
        ["token missing"] = new("Connect-Intercom -BaseUri $uri -Token ([securestring]::new())",
            "IntercomTokenMissing|InvalidInput||False||IntercomTokenMissing"),
        ["token with a control character"] = new($"Connect-Intercom -BaseUri $uri -Token {SecureString("\"tok`ten-123456789\"")}",
            "IntercomInvalidToken|InvalidInput||False||IntercomInvalidToken"),
        ["base URI that is not https"] = new($"Connect-Intercom -BaseUri 'http://example.com/' -Token {SecureToken}",
            "IntercomInvalidBaseUri|InvalidInput||False||IntercomInvalidBaseUri"),
        ["token refused by Connect-Intercom"] = new($"Connect-Intercom -BaseUri $uri -Token {SecureString("'wrong-token-123456789'")}",
            "IntercomUnauthorized|Unauthorized|401|True||IntercomUnauthorized"),
        ["subscription types cannot be read"] = new("Get-IntercomSubscriptionType",
            "IntercomServerError|ServerError|500|True||IntercomServerError",
            new ScriptedResponse(500, """{"type":"error.list","request_id":"req-500","errors":[{"code":"server_error","message":"boom"}]}""") { Method = "GET", PathContains = "/subscription_types" }),
        ["workspace page cannot be read"] = new("Get-IntercomContactSubscription -All",
            "IntercomForbidden|Forbidden|403|True||IntercomForbidden",
            new ScriptedResponse(403, """{"type":"error.list","request_id":"req-403","errors":[{"code":"forbidden","message":"Token lacks read_users"}]}""") { Method = "GET", PathContains = "/contacts" }),
    };

    public static IEnumerable<object[]> FailureNames => Failures.Keys.Select(name => new object[] { name });

    [Theory]
    [MemberData(nameof(FailureNames))]
    public void Every_failure_is_caught_as_IntercomException_with_its_id_kind_status_request_id_and_contact(string name)
    {
        var failure = Failures[name];
        Connect(failure.ConnectExtra);
        // The cache keeps the workspace's types from Connect-Intercom; a scripted failure of the list is for the next read.
        if (failure.Scripted is { } scripted)
        {
            if (scripted.PathContains == "/subscription_types") Run("Get-IntercomSubscriptionType | Out-Null");
            Server.Faults.EnqueueScripted(scripted);
        }

        var result = Run($$"""
            try {
                {{failure.Command}} -ErrorAction Stop
                'not caught'
            } catch [IntercomSubscriptions.IntercomException] {
                $e = $_.Exception
                '{0}|{1}|{2}|{3}|{4}|{5}' -f $e.ErrorId, $e.Kind, $e.StatusCode, [bool]$e.RequestId, $e.ContactKey, $_.FullyQualifiedErrorId.Split(',')[0]
            } catch {
                'other: {0} {1}' -f $_.Exception.GetType().FullName, $_.FullyQualifiedErrorId
            }
            """, new() { ["uri"] = Server.BaseUri, ["token"] = Server.Token });

        Assert.Empty(result.Errors);
        Assert.Equal(failure.Expected, Assert.Single(result.Output).BaseObject);
    }

    [Fact]
    public void The_types_of_one_failure_kind_are_caught_by_their_own_type_too_so_older_scripts_keep_working()
    {
        Connect("-MaxRetries 0");
        Server.Faults.EnqueueScripted(OnWrite(422, "parameter_invalid", "Invalid consent"));

        var result = Run($$"""
            try { Add-IntercomContactSubscription -ContactId {{Grace}} -SubscriptionId 108 -ErrorAction Stop }
            catch [IntercomSubscriptions.IntercomRequestException] { 'request ' + $_.Exception.ErrorCode }
            try { Add-IntercomContactSubscription -Email nobody@example.com -SubscriptionId 108 -ErrorAction Stop }
            catch [IntercomSubscriptions.ContactResolutionException] { 'resolution ' + $_.Exception.IsAmbiguous }
            """);

        Assert.Empty(result.Errors);
        Assert.Equal(new object[] { "request parameter_invalid", "resolution False" }, result.Output.Select(o => o.BaseObject));
    }

    [Fact]
    public void Non_terminating_errors_carry_the_same_exceptions_and_the_summary_keeps_their_details()
    {
        Connect("-MaxRetries 0");
        Server.Faults.EnqueueScripted(OnWrite(503, "service_unavailable", "down"));

        var result = Run($$"""
            $rows = @(
                [pscustomobject]@{ contact_id = '{{Grace}}' }
                [pscustomobject]@{ email = 'nobody@example.com' }
                [pscustomobject]@{ colour = 'blue' }
            )
            $run = $rows | Add-IntercomContactSubscription -SubscriptionId 108 -Summary -ErrorAction SilentlyContinue -ErrorVariable failed
            foreach ($err in $failed) { 'written {0} {1}' -f ($err.Exception -is [IntercomSubscriptions.IntercomException]), $err.Exception.ErrorId }
            foreach ($kept in $run.Errors) {
                $e = $kept.Exception
                'kept {0}|{1}|{2}|{3}|{4}|{5}' -f ($e -is [IntercomSubscriptions.IntercomException]), $e.ErrorId, $e.Kind, $e.StatusCode, $e.RequestId, $e.ContactKey
            }
            """);

        Assert.Empty(result.Errors);
        // The order of written errors follows when each was found (a row naming no contact at once); compared as sets.
        Assert.Equal(new[]
        {
            "kept True|IntercomContactColumnMissing|InvalidInput|||",
            "kept True|IntercomContactNotFound|ContactNotFound|||nobody@example.com",
            $"kept True|IntercomServerError|ServerError|503|req-503|{Grace}",
            "written True IntercomContactColumnMissing", "written True IntercomContactNotFound", "written True IntercomServerError",
        }, result.Output.Select(o => (string)o.BaseObject).Order(StringComparer.Ordinal));
    }
}
