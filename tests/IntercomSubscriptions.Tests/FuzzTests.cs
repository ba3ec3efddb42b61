using System.Management.Automation;
using System.Text;
using FakeIntercom;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// Thousands of generated records (odd ids, odd consents) against answers drawn at random from a
/// bag of bad ones: never a terminating error, never an unexpected-error record, and exactly one
/// result or one error per input record. Seeded, so a failure repeats.
/// </summary>
public sealed class FuzzTests : IntercomTestBase
{
    private const int Seed = 20240611;
    private static readonly string[] KnownErrorIds =
    {
        "IntercomContactNotFound", "IntercomSubscriptionTypeNotFound", "IntercomNotFound", "IntercomUnauthorized",
        "IntercomForbidden", "IntercomInvalidRequest", "IntercomServerError", "IntercomConnectionFailed",
        "IntercomInvalidResponse", "IntercomInvalidArgument", "IntercomRateLimited",
        "IntercomConsentMismatch", "IntercomContactColumnMissing", "IntercomSubscriptionColumnMissing", "IntercomContactAmbiguous",
        // No binder's error: a record's bad value is that record's error, counted and kept like any other.
    };

    [Theory]
    [InlineData("Add", 2000)]
    [InlineData("Remove", 1000)]
    public void Generated_records_and_random_answers_give_one_result_or_one_error_each(string verb, int count)
    {
        var random = new Random(Seed + count);
        var known = Enumerable.Range(0, 50).Select(i => $"fz{i:D3}").ToArray();
        foreach (var id in known) Server.State.AddContact(id);
        Connect("-MaxRetries 0 -TimeoutSec 10");
        for (var i = 0; i < count / 8; i++)
            Server.Faults.EnqueueScripted(RandomAnswer(random) with { PathContains = "/contacts/" });

        var ids = Enumerable.Range(0, count).Select(_ => RandomId(random, known)).ToArray();
        var subscriptionIds = Enumerable.Range(0, count).Select(_ => random.Next(12) switch
        {
            0 => RandomId(random, known),
            1 => "999",
            2 => "109",
            _ => "108",
        }).ToArray();
        // Mostly the consent each type takes (109 is opt_out); some contradict it, some are not consents at all.
        var consents = Enumerable.Range(0, count).Select(i => random.Next(12) switch
        {
            0 => "maybe",
            1 => "",
            2 => subscriptionIds[i] == "109" ? "OPT_OUT" : "OPT_IN",
            3 => subscriptionIds[i] == "109" ? "opt_in" : "opt_out",
            _ => subscriptionIds[i] == "109" ? "opt_out" : "opt_in",
        }).ToArray();
        var command = verb == "Add"
            ? "Add-IntercomContactSubscription -ThrottleLimit 8"
            : "Remove-IntercomContactSubscription -PassThru -Confirm:$false -ThrottleLimit 8";

        var result = Run($$"""
            $rows = for ($i = 0; $i -lt $ids.Count; $i++) {
                [pscustomobject]@{ n = $i; contact_id = $ids[$i]; subscription_id = $subscriptionIds[$i]; consent_type = $consents[$i] }
            }
            try { $rows | {{command}} }
            catch { "TERMINATED: $_" }
            """, new() { ["ids"] = ids, ["subscriptionIds"] = subscriptionIds, ["consents"] = consents });

        Assert.DoesNotContain(result.Output, o => o.BaseObject is string s && s.StartsWith("TERMINATED", StringComparison.Ordinal));
        var results = result.Objects("IntercomSubscriptions.ContactSubscription").Count();
        var unexpected = result.Errors.Where(e => !KnownErrorIds.Contains(e.FullyQualifiedErrorId.Split(',')[0])).ToList();
        Assert.True(unexpected.Count == 0, "unexpected errors:\n" + string.Join("\n", unexpected.Take(5).Select(e => e.FullyQualifiedErrorId + ": " + e)));
        Assert.Equal(count, results + result.Errors.Count);
        var failedRows = result.Errors.Select(e => e.TargetObject).OfType<PSObject>()
            .Select(row => row.Properties["n"]?.Value).Where(n => n is not null).ToList();
        Assert.Equal(failedRows.Count, failedRows.Distinct().Count());
        Assert.All(result.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.ToString())));
        Assert.True(results > count / 5, $"only {results} of {count} records succeeded; the generator is too hostile to test much");
        Assert.Contains(result.Errors, e => e.FullyQualifiedErrorId.StartsWith("IntercomInvalidResponse", StringComparison.Ordinal));
    }

    private static string? RandomId(Random random, string[] known)
    {
        string Pick(string chars, int min, int max)
        {
            var builder = new StringBuilder();
            var length = random.Next(min, max + 1);
            for (var i = 0; i < length; i++) builder.Append(chars[random.Next(chars.Length)]);
            return builder.ToString();
        }
        const string alnum = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF";
        return random.Next(16) switch
        {
            0 or 1 or 2 or 12 or 13 or 14 or 15 => known[random.Next(known.Length)],
            3 => Pick(alnum, 1, 30),
            4 => Pick(alnum + "üé日本Ω\u200b\u202e\u00a0", 1, 20) + (random.Next(2) == 0 ? "\ud83d\ude00" : ""),
            5 => Pick(alnum, 1, 5) + new[] { "/", "\\", "?", "#", "%", "..", "&", "=", "+", ";", ",", ":", "@", "%2F", "." }[random.Next(15)] + Pick(alnum, 0, 5),
            6 => new[] { " ", "\t", "  " }[random.Next(3)] + Pick(alnum, 1, 5) + (random.Next(2) == 0 ? " " : "") + (random.Next(2) == 0 ? " in between" : ""),
            7 => Pick(alnum, 100, 300),
            8 => new[] { "", " ", "\t\t", null }[random.Next(4)],
            9 => Pick(alnum, 1, 5) + (char)random.Next(0, 32) + Pick(alnum, 0, 5),
            10 => Pick(alnum, 1, 5) + (char)random.Next(0xD800, 0xE000) + Pick(alnum, 0, 5),
            _ => known[random.Next(known.Length)],
        };
    }

    private static ScriptedResponse RandomAnswer(Random random)
    {
        var bodies = new[]
        {
            """{"type":"subscription","id":"108","state":"live","consent_type":"opt_in","default_translation":{"name":"Newsletters","locale":"en"}}""",
            """{"type":"subscription","id":108,"state":"paused","consent_type":"double_opt_in","content_types":["carrier_pigeon"],"x":{"y":[]}}""",
            """{"type":"subscription","id":"108","translations":"nope","content_types":{"a":1},"default_translation":[1]}""",
            "", "null", "[]", "{}", "true", "\"text\"", """{"id":null}""", """{"id":{}}""", """{"id":[1]}""",
            """{"id":123456789012345678901234567890}""", """{"id":1e999}""", """{"id":"108""",
            "<html><body>Gateway Timeout</body></html>", "\u00ff\u00fe garbage \ud800 \u0000",
            new string('[', 200) + new string(']', 200),
            """{"type":"error.list","errors":"x"}""", """{"type":"error.list","errors":[1,2]}""",
            """{"type":"error.list","request_id":{"a":1},"errors":[{"code":7,"message":123}]}""",
            """{"type":"error.list","request_id":"req-fuzz","errors":[{"code":"not_found","message":"User Not Found"}]}""",
        };
        // No 401: after one, the connection sends nothing more (a refused token stays refused), which would end the run; that
        // path has tests of its own (ConnectionTests, TokenSecrecyTests, the engine's transport tests).
        var statuses = new[] { 200, 200, 200, 201, 202, 204, 302, 400, 403, 404, 409, 422, 500, 502, 503 };
        var status = statuses[random.Next(statuses.Length)];
        var body = status == 204 ? null : bodies[random.Next(bodies.Length)];
        var contentType = random.Next(4) == 0 ? "text/html" : "application/json";
        var headers = new Dictionary<string, string>();
        if (random.Next(3) == 0) headers["X-Request-Id"] = "req-" + random.Next(1000);
        if (status == 302) headers["Location"] = "/subscription_types";
        return new ScriptedResponse(status, body, contentType)
        {
            DropConnection = random.Next(25) == 0,
            Headers = headers,
        };
    }
}
