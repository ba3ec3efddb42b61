using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions;

/// <summary>N.N, Preview or Unstable (the name Preview had before 2026).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class ValidateApiVersionAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var text = arguments is PSObject wrapped ? wrapped.BaseObject as string : arguments as string;
        if (!IntercomEndpoints.IsValidApiVersion(text))
            throw new ValidationMetadataException(
                $"The API version '{text}' is not one Intercom knows. Use a version number such as {IntercomEndpoints.DefaultApiVersion} or 2.16, or Preview (formerly Unstable).");
    }
}
