using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FakeIntercom;

namespace IntercomSubscriptions.Tests;

public sealed class ConnectionTests : IntercomTestBase
{
    protected override FakeIntercomOptions ServerOptions
    {
        get
        {
            var options = new FakeIntercomOptions { Token = "tok-0123456789abcdefWXYZ" };
            options.ForbiddenTokens.Add("tok-forbidden-0123456789");
            return options;
        }
    }

    [Theory]
    [InlineData("Get-IntercomSubscriptionType")]
    [InlineData($"Get-IntercomContactSubscription -ContactId {Ada}")]
    [InlineData($"Add-IntercomContactSubscription -ContactId {Ada} -SubscriptionId 108 -Consent opt_in")]
    [InlineData($"Remove-IntercomContactSubscription -ContactId {Ada} -SubscriptionId 108 -Confirm:$false")]
    [InlineData("Get-IntercomConnection")]
    public void Without_a_connection_every_cmdlet_says_to_run_Connect_Intercom_and_sends_nothing(string command)
    {
        var result = Run(command);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomNotConnected", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
        Assert.Contains("Connect-Intercom", error.ToString());
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void Connect_checks_the_token_with_one_request_and_sends_the_default_API_version()
    {
        var result = Run($"Connect-Intercom -BaseUri $uri -Token {SecureToken} -PassThru",
            new() { ["uri"] = Server.BaseUri, ["token"] = Server.Token });
        Assert.Empty(result.Errors);
        var connection = new PSView(result.Output.Single());
        dynamic view = connection;
        Assert.Equal("Custom", view.Region);
        Assert.Equal("2.14", view.ApiVersion);
        Assert.Equal("****WXYZ", view.MaskedToken);
        var request = Assert.Single(Server.Requests);
        Assert.Equal("/subscription_types", request.RawPath);
        Assert.Equal("2.14", request.IntercomVersion);
        Assert.Equal("Bearer " + Server.Token, request.Authorization);
    }

    [Theory]
    [InlineData("2.16", "2.16")]
    [InlineData("Preview", "Preview")]
    [InlineData("Unstable", "Unstable")]
    public void The_chosen_API_version_goes_in_the_Intercom_Version_header(string given, string sent)
    {
        Connect($"-ApiVersion {given}");
        Run($"Get-IntercomContactSubscription -ContactId {Ada}");
        Assert.All(Server.Requests, r => Assert.Equal(sent, r.IntercomVersion));
        Assert.Equal(2, Server.Requests.Count);
    }

    [Fact]
    public void A_malformed_API_version_is_refused_before_any_request()
    {
        var result = Run($"Connect-Intercom -BaseUri $uri -Token {SecureString("'x'")} -ApiVersion banana",
            new() { ["uri"] = Server.BaseUri });
        Assert.Contains("banana", Assert.Single(result.Errors).ToString());
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void A_refused_token_is_an_authentication_error_and_leaves_the_session_unconnected()
    {
        var result = Run($"""
            Connect-Intercom -BaseUri $uri -Token {SecureString("'wrong-token-123456789'")}
            """, new() { ["uri"] = Server.BaseUri });
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.StartsWith("IntercomUnauthorized", error.FullyQualifiedErrorId);
        Assert.Contains("Access Token Invalid", error.ToString());
        Assert.Matches("request_id [0-9a-f-]{36}", error.ToString());
        Assert.StartsWith("IntercomNotConnected", Assert.Single(Run("Get-IntercomConnection").Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void A_token_without_the_plan_or_scope_is_PermissionDenied()
    {
        var result = Run($"Connect-Intercom -BaseUri $uri -Token {SecureString("'tok-forbidden-0123456789'")}",
            new() { ["uri"] = Server.BaseUri });
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        Assert.StartsWith("IntercomForbidden", error.FullyQualifiedErrorId);
    }

    [Fact]
    public void A_credential_carries_the_token_as_its_password()
    {
        var result = Run($"""
            $secure = {SecureToken}
            Connect-Intercom -BaseUri $uri -Credential ([pscredential]::new('Intercom', $secure))
            (Get-IntercomConnection).MaskedToken
            """, new() { ["uri"] = Server.BaseUri, ["token"] = Server.Token });
        Assert.Empty(result.Errors);
        Assert.Equal("****WXYZ", result.Output.Single().BaseObject);
    }

    [Fact]
    public void Without_a_token_parameter_the_environment_variable_is_used()
    {
        var result = Run("""
            $env:INTERCOM_ACCESS_TOKEN = $token
            try { Connect-Intercom -BaseUri $uri } finally { [Environment]::SetEnvironmentVariable('INTERCOM_ACCESS_TOKEN', $null) }
            (Get-IntercomConnection).BaseUri.ToString()
            """, new() { ["uri"] = Server.BaseUri, ["token"] = Server.Token });
        Assert.Empty(result.Errors);
        Assert.Equal(Server.BaseUri.ToString(), result.Output.Single().BaseObject);
    }

    [Fact]
    public void Errors_of_each_kind_get_their_category()
    {
        Connect("-MaxRetries 0");
        Server.Faults.EnqueueScripted(new ScriptedResponse(422,
            """{"type":"error.list","request_id":"r-422","errors":[{"code":"parameter_invalid","message":"Invalid consent"}]}""") { Method = "POST" });
        Server.Faults.EnqueueScripted(new ScriptedResponse(429,
            """{"type":"error.list","request_id":"r-429","errors":[{"code":"rate_limit_exceeded","message":"Exceeded rate limit"}]}""")
            // 429s are retried for minutes while Intercom asks for a wait; ten "Retry-After: 0" in a row end the call.
            { Method = "POST", Times = 10, Headers = new Dictionary<string, string> { ["Retry-After"] = "0" } });
        Server.Faults.EnqueueScripted(new ScriptedResponse(0, null) { Method = "POST", DropConnection = true });
        // Last: after a 401 the connection sends nothing more (every later record gets the 401 at once).
        Server.Faults.EnqueueScripted(new ScriptedResponse(401,
            """{"type":"error.list","request_id":"r-401","errors":[{"code":"token_not_found","message":"Token not found"}]}""") { Method = "POST" });

        var result = Run($$"""
            1..4 | ForEach-Object { [pscustomobject]@{ contact_id = '{{Grace}}' } } |
                Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -ThrottleLimit 1
            """);

        Assert.Equal(
            new[] { ErrorCategory.InvalidArgument, ErrorCategory.LimitsExceeded, ErrorCategory.ConnectionError, ErrorCategory.AuthenticationError },
            result.Errors.Select(e => e.CategoryInfo.Category));
        Assert.Equal(
            ["IntercomInvalidRequest", "IntercomRateLimited", "IntercomConnectionFailed", "IntercomUnauthorized"],
            result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.Contains("r-422", result.Errors[0].ErrorDetails.Message);
        Assert.Contains("parameter_invalid", result.Errors[0].ErrorDetails.Message);
        Assert.Contains("r-429", result.Errors[1].ErrorDetails.Message);
    }

    [Theory]
    [InlineData("US", "api.intercom.io")]
    [InlineData("EU", "api.eu.intercom.io")]
    [InlineData("AU", "api.au.intercom.io")]
    public async Task Each_region_connects_to_its_Intercom_host(string region, string host)
    {
        // No traffic may leave this machine: a loopback "proxy" records where the module was going and
        // refuses the tunnel at once (502), so the connection error comes without waiting for a timeout.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var firstLine = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[1024];
            var read = await stream.ReadAsync(buffer);
            await stream.WriteAsync("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
            return Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
        });

        var result = Run($"Connect-Intercom -Region {region} -Proxy http://127.0.0.1:{port}/ -MaxRetries 0 -TimeoutSec 5 -Token {SecureString("'tok-0123456789abcdef'")}");

        Assert.Equal($"CONNECT {host}:443 HTTP/1.1", await firstLine.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains(Assert.Single(result.Errors).CategoryInfo.Category, new[] { ErrorCategory.ConnectionError, ErrorCategory.OperationTimeout });
    }

    [Fact]
    public void Plain_http_is_refused_for_hosts_other_than_this_machine()
    {
        var result = Run($"Connect-Intercom -BaseUri http://api.example.com/ -Token {SecureString("'tok-0123456789abcdef'")}");
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("https", error.ToString());
    }

    [Fact]
    public void An_explicit_Connection_wins_over_the_session_default()
    {
        Connect();
        var result = Run($"""
            $other = Connect-Intercom -BaseUri $uri -Token {SecureToken} -ApiVersion 2.16 -PassThru
            Connect-Intercom -BaseUri $uri -Token {SecureToken} -ApiVersion 2.10
            Get-IntercomSubscriptionType -Connection $other | Out-Null
            Get-IntercomSubscriptionType | Out-Null
            """, new() { ["uri"] = Server.BaseUri, ["token"] = Server.Token });
        Assert.Empty(result.Errors);
        Assert.Equal(["2.16", "2.10"], Server.Requests.TakeLast(2).Select(r => r.IntercomVersion));
    }

    [Fact]
    public void Disconnect_forgets_the_session_default()
    {
        Connect();
        var result = Run("Disconnect-Intercom; Get-IntercomSubscriptionType");
        Assert.StartsWith("IntercomNotConnected", Assert.Single(result.Errors).FullyQualifiedErrorId);
        Assert.Single(Server.Requests); // only Connect-Intercom's check
    }
}
