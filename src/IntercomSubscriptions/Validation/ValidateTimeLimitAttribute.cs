using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// -TimeLimit must be at least a second. PowerShell turns a bare number into a TimeSpan of that
/// many ticks (-TimeLimit 60 is 6 microseconds), which would end the run before its first request;
/// refusing it while binding names the mistake instead.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class ValidateTimeLimitAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var value = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
        if (value is TimeSpan limit && limit < TimeSpan.FromSeconds(1))
            throw new ValidationMetadataException(
                $"The time limit {limit} is under one second. Give a duration such as '2:45:00' (2 hours 45 minutes) or (New-TimeSpan -Minutes 170); a bare number is read as ticks.");
    }
}
