using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using FakeIntercom;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// The exceptions in error records are public types of the
/// cmdlet assembly that scripts can catch; no engine type (loaded in the module's own load context)
/// reaches PowerShell; and the error ids are the published ones.
/// </summary>
public sealed class ErrorTypeTests : IntercomTestBase
{
    [Fact]
    public void A_failed_Intercom_call_can_be_caught_by_type_and_carries_kind_status_code_and_request_id()
    {
        Connect("-MaxRetries 0");
        Server.Faults.EnqueueScripted(new ScriptedResponse(422,
            """{"type":"error.list","request_id":"r-422","errors":[{"code":"parameter_invalid","message":"Invalid consent"}]}""") { Method = "POST" });

        var result = Run($$"""
            try {
                Add-IntercomContactSubscription -ContactId {{Grace}} -SubscriptionId 108 -ErrorAction Stop
            } catch [IntercomSubscriptions.IntercomRequestException] {
                $e = $_.Exception
                'caught {0} {1} {2} {3}' -f $e.Kind, $e.StatusCode, $e.ErrorCode, $e.RequestId
            }
            """);

        Assert.Empty(result.Errors);
        Assert.Equal("caught InvalidRequest 422 parameter_invalid r-422", Assert.Single(result.Output).BaseObject);
    }

    [Fact]
    public void Every_type_a_user_can_get_hold_of_is_in_the_default_load_context()
    {
        Connect("-MaxRetries 0");
        Server.Faults.EnqueueScripted(new ScriptedResponse(503,
            """{"type":"error.list","request_id":"r-503","errors":[{"code":"service_unavailable","message":"down"}]}""") { Method = "POST" });
        Server.Faults.EnqueueScripted(new ScriptedResponse(0, null) { Method = "POST", DropConnection = true });

        var result = Run($$"""
            Get-IntercomConnection
            Get-IntercomSubscriptionType
            Get-IntercomContactSubscription -ContactId {{Ada}} -IncludeDefault
            Add-IntercomContactSubscription -ContactId {{Grace}} -SubscriptionId 108
            Add-IntercomContactSubscription -ContactId {{Grace}} -SubscriptionId 108
            Add-IntercomContactSubscription -ContactId {{Grace}} -SubscriptionId 108 -Consent opt_out
            Add-IntercomContactSubscription -Email nobody@example.com -SubscriptionId 108
            Add-IntercomContactSubscription -Email {{SharedEmail}} -SubscriptionId 108
            Add-IntercomContactSubscription -ContactId 63a07ddf05a32042dffac999 -SubscriptionId 108
            Remove-IntercomContactSubscription -ContactId {{Ada}} -SubscriptionName 'No such type' -Confirm:$false
            Get-IntercomSubscriptionType -Id 999
            [pscustomobject]@{ colour = 'blue' } | Get-IntercomContactSubscription
            $c = Connect-Intercom -BaseUri $uri -Token {{SecureToken}} -PassThru; Disconnect-Intercom -Connection $c
            Get-IntercomSubscriptionType -Connection $c
            """, new() { ["uri"] = Server.BaseUri, ["token"] = Server.Token });
        var failedConnect = Run($"Connect-Intercom -BaseUri $uri -Token {SecureString("'wrong-token-123456789'")}", new() { ["uri"] = Server.BaseUri });
        var commands = Run("Get-Command -Module IntercomSubscriptions");

        Assert.True(result.Errors.Count >= 10, string.Join("\n", result.Errors));
        var reachable = new HashSet<Type>();
        foreach (var output in result.Output) AddWithProperties(reachable, output.BaseObject.GetType());
        foreach (var error in result.Errors.Concat(failedConnect.Errors))
        {
            for (var exception = error.Exception; exception is not null; exception = exception.InnerException)
                reachable.Add(exception.GetType());
            if (error.TargetObject is { } target) reachable.Add((target as PSObject)?.BaseObject.GetType() ?? target.GetType());
        }
        foreach (var command in commands.Output.Select(o => (CmdletInfo)o.BaseObject))
        {
            foreach (var parameter in command.Parameters.Values) reachable.Add(parameter.ParameterType);
            foreach (var output in command.OutputType) AddWithProperties(reachable, output.Type);
        }

        Assert.Contains(reachable, t => t.FullName == "IntercomSubscriptions.IntercomRequestException");
        Assert.Contains(reachable, t => t.FullName == "IntercomSubscriptions.SubscriptionTypeTranslation");
        var isolated = reachable.Where(t => AssemblyLoadContext.GetLoadContext(t.Assembly) != AssemblyLoadContext.Default).ToList();
        Assert.True(isolated.Count == 0, "types a user can get hold of that live in another load context: "
            + string.Join(", ", isolated.Select(t => $"{t.FullName} ({AssemblyLoadContext.GetLoadContext(t.Assembly)?.Name})")));
        Assert.DoesNotContain(reachable, t => t.Assembly.GetName().Name == "IntercomSubscriptions.Engine");
    }

    /// <summary>The error ids scripts may match on, written out: the public contract, not a copy of the module's list.</summary>
    private static readonly string[] PublishedErrorIds =
    {
        "IntercomNotConnected", "IntercomConnectionClosed", "IntercomTokenMissing", "IntercomInvalidBaseUri", "IntercomInvalidToken",
        "IntercomContactNotFound", "IntercomContactAmbiguous", "IntercomContactColumnMissing", "IntercomContactConflict",
        "IntercomSubscriptionTypeNotFound", "IntercomSubscriptionColumnMissing", "IntercomSubscriptionTypeConflict",
        "IntercomConsentMismatch", "IntercomStateColumnMissing", "IntercomInvalidArgument",
        "IntercomNotFound", "IntercomUnauthorized", "IntercomForbidden", "IntercomInvalidRequest", "IntercomRateLimited",
        "IntercomServerError", "IntercomConnectionFailed", "IntercomTimeout", "IntercomInvalidResponse",
        "IntercomJournalFailed", "IntercomError", "IntercomUnexpectedError",
    };

    [Fact]
    public void The_error_ids_are_the_published_ones_each_written_once_in_the_source()
    {
        // The module's own catalogue, read from the assembly the runspace loaded: a renamed, added or
        // dropped id differs from the list above.
        var assembly = (Assembly)Assert.Single(Run("[IntercomSubscriptions.IntercomException].Assembly").Output).BaseObject;
        var catalogue = assembly.GetType("IntercomSubscriptions.ErrorIds", throwOnError: true)!
            .GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.Equal(PublishedErrorIds.Order(StringComparer.Ordinal), catalogue.Order(StringComparer.Ordinal));

        var source = Path.Combine(PowerShellSession.RepositoryRoot, "src", "IntercomSubscriptions");
        var literals = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "ErrorIds.cs" && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), "\"(Intercom[A-Z][A-Za-z]+)\"").Select(m => (File: Path.GetFileName(f), Id: m.Groups[1].Value)))
            .Where(l => PublishedErrorIds.Contains(l.Id))
            .ToList();
        Assert.True(literals.Count == 0, "error ids written as literals outside ErrorIds: " + string.Join(", ", literals));

        // And what the cmdlets really write, through a handful of failures, is published.
        Connect();
        var result = Run($$"""
            Add-IntercomContactSubscription -ContactId {{Ada}} -SubscriptionId 108 -Consent opt_out
            Add-IntercomContactSubscription -Email nobody@example.com -SubscriptionId 108
            Get-IntercomSubscriptionType -Id 999
            [pscustomobject]@{ colour = 'blue' } | Get-IntercomContactSubscription
            Get-IntercomContactSubscription -ContactId 63a07ddf05a32042dffac999
            """);
        Assert.Equal(
            ["IntercomConsentMismatch", "IntercomContactNotFound", "IntercomSubscriptionTypeNotFound", "IntercomContactColumnMissing", "IntercomContactNotFound"],
            result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.All(result.Errors, e => Assert.Equal(e.FullyQualifiedErrorId.Split(',')[0], ((dynamic)e.Exception).ErrorId));
    }

    private static void AddWithProperties(HashSet<Type> types, Type type)
    {
        if (!types.Add(type)) return;
        if (type.IsArray) AddWithProperties(types, type.GetElementType()!);
        if (type.Assembly.GetName().Name?.StartsWith("IntercomSubscriptions", StringComparison.Ordinal) != true) return;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            AddWithProperties(types, property.PropertyType);
    }
}
