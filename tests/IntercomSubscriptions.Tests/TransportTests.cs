using System.Management.Automation;
using System.Net;
using System.Net.Sockets;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// Where the token may be sent: https anywhere, plain http only to this machine; and through the
/// proxy the user names. (TLS 1.2+ is requested on the handler only under .NET Framework, i.e.
/// Windows PowerShell 5.1, which these tests cannot run.)
/// </summary>
public sealed class TransportTests : IntercomTestBase
{
    private ScriptResult ConnectTo(string baseUri, string extra = "", object? proxy = null) =>
        Run($"Connect-Intercom -BaseUri '{baseUri}' -Token {SecureToken} {extra}",
            new() { ["token"] = Server.Token, ["proxy"] = proxy });

    [Theory]
    [InlineData("http://example.com")]
    [InlineData("http://api.intercom.io/")]
    [InlineData("http://10.0.0.5:8080/")]
    [InlineData("ftp://127.0.0.1/")]
    public void Plain_http_to_another_machine_is_refused_before_any_request(string baseUri)
    {
        var result = ConnectTo(baseUri);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomInvalidBaseUri,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("https", error.ToString());
        Assert.Contains(new Uri(baseUri).Host, error.ToString());
        Assert.Empty(Server.Requests);
        Assert.StartsWith("IntercomNotConnected,", Assert.Single(Run("Get-IntercomConnection").Errors).FullyQualifiedErrorId);
    }

    [Theory]
    [InlineData("https://user:secret@api.intercom.io/", "credentials")]
    [InlineData("https://api.intercom.io/?token=abc", "query")]
    public void A_base_uri_with_credentials_or_a_query_is_refused_without_echoing_them(string baseUri, string says)
    {
        var result = ConnectTo(baseUri);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomInvalidBaseUri,", error.FullyQualifiedErrorId);
        Assert.Contains(says, error.ErrorDetails.Message);
        // Not in the message, nor in the category line PowerShell shows with the target object.
        // (The script line itself is the user's own typing and may show it.)
        var shown = string.Join("\n", error.ToString(), error.CategoryInfo.ToString(), error.TargetObject?.ToString(), error.Exception.ToString());
        Assert.DoesNotContain("secret", shown);
        Assert.DoesNotContain("token=abc", shown);
    }

    [Fact]
    public void Loopback_http_by_name_and_address_is_accepted()
    {
        var port = Server.BaseUri.Port;
        Assert.Empty(ConnectTo($"http://127.0.0.1:{port}").Errors);
        Assert.Empty(ConnectTo($"http://localhost:{port}/").Errors);
        var shown = Run("(Get-IntercomConnection).BaseUri.ToString()");
        Assert.Equal($"http://localhost:{port}/", Assert.Single(shown.Output).BaseObject);
    }

    [Fact]
    public void Https_is_accepted_as_a_base_uri()
    {
        // Nothing listens on this loopback port: the address passes validation and the failure is the connection's.
        var port = UnusedPort();
        var result = ConnectTo($"https://127.0.0.1:{port}/", "-MaxRetries 0 -TimeoutSec 5");
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomConnectionFailed,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
    }

    [Fact]
    public void Proxy_and_ProxyCredential_are_used_for_every_request()
    {
        using var proxy = new LoopbackProxy(requireCredentials: true);
        var connect = ConnectTo(Server.BaseUri.ToString(),
            $"-Proxy $proxy -ProxyCredential ([pscredential]::new('proxy-user', {SecureString("'proxy-pass'")}))", proxy.Address);
        Assert.Empty(connect.Errors);
        Assert.Empty(Run("Get-IntercomSubscriptionType").Errors);

        var lines = proxy.RequestLines.ToList();
        Assert.Contains($"GET {Server.BaseUri}subscription_types HTTP/1.1", lines);
        var expected = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("proxy-user:proxy-pass"));
        Assert.Contains(expected, proxy.ProxyAuthorizations);
        // Every request that reached Intercom came through the proxy.
        Assert.Equal(Server.Requests.Count, proxy.ProxyAuthorizations.Count(a => a == expected));
    }

    [Fact]
    public void A_proxy_that_is_not_there_is_a_connection_error_naming_no_secret()
    {
        var port = UnusedPort();
        var result = ConnectTo(Server.BaseUri.ToString(), $"-Proxy 'http://127.0.0.1:{port}/' -MaxRetries 0");
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomConnectionFailed,", error.FullyQualifiedErrorId);
        Assert.Empty(Server.Requests); // the request went to the (absent) proxy, not straight to the server
        Assert.DoesNotContain(Server.Token, TokenSecrecyTests.Describe(error));
    }

    [Fact]
    public void Connect_Intercom_declares_Proxy_and_ProxyCredential()
    {
        var result = Run("$c = Get-Command Connect-Intercom; $c.Parameters['Proxy'].ParameterType.FullName; $c.Parameters['ProxyCredential'].ParameterType.FullName");
        Assert.Equal(["System.Uri", "System.Management.Automation.PSCredential"], result.Output.Select(o => o.BaseObject));
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
