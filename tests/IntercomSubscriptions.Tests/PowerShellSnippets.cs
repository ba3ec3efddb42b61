namespace IntercomSubscriptions.Tests;

/// <summary>PowerShell text the tests put in their scripts, written once.</summary>
public static class PowerShellSnippets
{
    /// <summary>The SecureString of the plain-text token in <c>$token</c>, as a user's script makes it.</summary>
    public const string SecureToken = "(ConvertTo-SecureString $token -AsPlainText -Force)";

    /// <summary>The SecureString of a PowerShell string expression (a variable or a quoted literal).</summary>
    public static string SecureString(string expression) => $"(ConvertTo-SecureString {expression} -AsPlainText -Force)";
}
