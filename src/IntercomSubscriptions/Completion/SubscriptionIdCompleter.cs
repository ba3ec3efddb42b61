using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

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
