using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace IntercomSubscriptions;

/// <summary>Completes -SubscriptionName from the connection's cached types, quoting names with spaces.</summary>
internal sealed class SubscriptionNameCompleter : IArgumentCompleter
{
    // Characters that would split or change a bare argument on the command line.
    private static readonly char[] NeedsQuotes = { ' ', '\'', '$', '`', ';', '(', ')' };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = wordToComplete.Trim('\'', '"');
        return SubscriptionIdCompleter.CachedTypes(fakeBoundParameters)
            .Where(t => t.Name is not null && t.Name.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .Select(t => new CompletionResult(
                t.Name!.IndexOfAny(NeedsQuotes) >= 0 ? "'" + t.Name.Replace("'", "''") + "'" : t.Name,
                t.Name, CompletionResultType.ParameterValue, $"{t.Id} ({t.ConsentType}, {t.State})"));
    }
}
