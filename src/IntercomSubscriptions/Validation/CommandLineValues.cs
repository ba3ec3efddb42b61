using System.Collections;
using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// An empty CSV cell is an absent value, so the binding attributes let empty values through. An
/// empty value typed on the command line (-ContactId '') is still a mistake: BeginProcessing, where
/// only command-line values are bound, refuses it before any request.
/// </summary>
internal static class CommandLineValues
{
    /// <summary>The error for the first of <paramref name="parameterNames"/> given on the command line with an empty value; null when none was.</summary>
    public static ErrorRecord? EmptyValue(IDictionary<string, object> boundParameters, params string[] parameterNames)
    {
        foreach (var name in parameterNames)
        {
            if (!boundParameters.TryGetValue(name, out var value)) continue;
            var values = value is string or null ? new[] { value as string } : ((IEnumerable)value).Cast<object?>().Select(v => v?.ToString());
            if (values.Any(v => RecordCells.Clean(v) is null))
            {
                var message = $"-{name} is empty. Give a value, or leave -{name} out.";
                return IntercomErrors.InvalidArgument(message, value, ErrorIds.InvalidArgument, ErrorCategory.InvalidData);
            }
        }
        return null;
    }
}
