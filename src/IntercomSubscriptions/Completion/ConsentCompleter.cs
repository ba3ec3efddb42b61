using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace IntercomSubscriptions;

/// <summary>Completes -Consent with its two values: ValidateSet, which would complete them, would also refuse a whole piped record for one bad cell (see ColumnValueRules).</summary>
internal sealed class ConsentCompleter : IArgumentCompleter
{
    private static readonly string[] ConsentTypes = { "opt_in", "opt_out" };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        ConsentTypes
            .Where(v => v.StartsWith(wordToComplete.Trim('\'', '"'), StringComparison.OrdinalIgnoreCase))
            .Select(v => new CompletionResult(v, v, CompletionResultType.ParameterValue, v));
}
