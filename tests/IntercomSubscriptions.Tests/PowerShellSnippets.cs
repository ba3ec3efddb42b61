namespace IntercomSubscriptions.Tests;

/// <summary>PowerShell text the tests put in their scripts, written once.</summary>
public static class PowerShellSnippets
{
    /// <summary>The SecureString of the plain-text token in <c>$token</c>, as a user without ConvertTo-SecureString writes it.</summary>
    public const string SecureToken = "([System.Net.NetworkCredential]::new('', $token).SecurePassword)";

    /// <summary>The SecureString of a PowerShell string expression (a variable or a quoted literal).</summary>
    public static string SecureString(string expression) => $"([System.Net.NetworkCredential]::new('', {expression}).SecurePassword)";
}
