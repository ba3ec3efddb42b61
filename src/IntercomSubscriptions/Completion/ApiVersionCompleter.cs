using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

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
