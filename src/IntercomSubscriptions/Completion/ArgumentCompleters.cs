using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>Completes -SubscriptionId from the connection's cached types, with names as tooltips. Never calls Intercom.</summary>
internal sealed class SubscriptionIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CachedTypes(fakeBoundParameters)
            .Where(t => t.Id.StartsWith(wordToComplete.Trim('\'', '"'), StringComparison.OrdinalIgnoreCase))
            .Select(t => new CompletionResult(t.Id, $"{t.Id} {t.Name}", CompletionResultType.ParameterValue,
                $"{t.Name} ({t.ConsentType}, {t.State})"));

    internal static IEnumerable<SubscriptionType> CachedTypes(IDictionary fakeBoundParameters)
    {
        var connection = (fakeBoundParameters["Connection"] is { } given ? (given as PSObject)?.BaseObject ?? given : null) as IntercomConnection
            ?? RunspaceConnectionStore.Current;
        return connection?.SubscriptionTypes.Peek() ?? Array.Empty<SubscriptionType>();
    }
}

/// <summary>Completes -SubscriptionName from the connection's cached types, quoting names with spaces.</summary>
internal sealed class SubscriptionNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = wordToComplete.Trim('\'', '"');
        return SubscriptionIdCompleter.CachedTypes(fakeBoundParameters)
            .Where(t => t.Name is not null && t.Name.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .Select(t => new CompletionResult(
                t.Name!.IndexOfAny(new[] { ' ', '\'', '$', '`', ';', '(', ')' }) >= 0 ? "'" + t.Name.Replace("'", "''") + "'" : t.Name,
                t.Name, CompletionResultType.ParameterValue, $"{t.Id} ({t.ConsentType}, {t.State})"));
    }
}

/// <summary>Completes -ApiVersion with the versions Intercom publishes.</summary>
internal sealed class ApiVersionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        IntercomEndpoints.KnownApiVersions
            .Where(v => v.StartsWith(wordToComplete.Trim('\'', '"'), StringComparison.OrdinalIgnoreCase))
            .Select(v => new CompletionResult(v, v, CompletionResultType.ParameterValue,
                v == IntercomEndpoints.DefaultApiVersion ? $"{v} (default)" : v));
}

/// <summary>Completes -Consent with its two values (ValidateSet did this before empty cells became allowed).</summary>
internal sealed class ConsentCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        new[] { "opt_in", "opt_out" }
            .Where(v => v.StartsWith(wordToComplete.Trim('\'', '"'), StringComparison.OrdinalIgnoreCase))
            .Select(v => new CompletionResult(v, v, CompletionResultType.ParameterValue, v));
}
