using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.Engine.Tests;

public sealed class IntercomEndpointsTests
{
    [Theory]
    [InlineData("US", "https://api.intercom.io/")]
    [InlineData("EU", "https://api.eu.intercom.io/")]
    [InlineData("AU", "https://api.au.intercom.io/")]
    [InlineData("us", "https://api.intercom.io/")]
    [InlineData("eu", "https://api.eu.intercom.io/")]
    [InlineData("Au", "https://api.au.intercom.io/")]
    public void ForRegion_knows_the_three_regions(string region, string expected) =>
        Assert.Equal(new Uri(expected), IntercomEndpoints.ForRegion(region));

    [Theory]
    [InlineData("UK")]
    [InlineData("")]
    [InlineData("USA")]
    public void ForRegion_refuses_unknown_regions_naming_the_known_ones(string region)
    {
        var ex = Assert.Throws<ArgumentException>(() => IntercomEndpoints.ForRegion(region));
        Assert.Equal("region", ex.ParamName);
        Assert.Contains($"'{region}'", ex.Message);
        Assert.Contains("US, EU, AU", ex.Message);
    }

    [Theory]
    [InlineData("https://api.intercom.io", "https://api.intercom.io/")]
    [InlineData("https://api.intercom.io/", "https://api.intercom.io/")]
    [InlineData("https://gateway.example.com/intercom", "https://gateway.example.com/intercom/")]
    [InlineData("https://gateway.example.com/intercom/", "https://gateway.example.com/intercom/")]
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000/")]
    [InlineData("http://127.0.0.2:5000/", "http://127.0.0.2:5000/")]
    [InlineData("http://[::1]:5000", "http://[::1]:5000/")]
    [InlineData("http://localhost:8080/base", "http://localhost:8080/base/")]
    [InlineData("http://LOCALHOST:8080", "http://localhost:8080/")]
    public void ValidateBaseUri_accepts_https_and_loopback_http_with_a_trailing_slash(string uri, string expected)
    {
        var validated = IntercomEndpoints.ValidateBaseUri(new Uri(uri));
        Assert.Equal(expected, validated.AbsoluteUri);
    }

    [Theory]
    [InlineData("http://api.intercom.io", "must use https")]
    [InlineData("http://example.com:5000/", "must use https")]
    [InlineData("http://127.0.0.1.example.com/", "must use https")]
    [InlineData("http://localhost.example.com/", "must use https")]
    [InlineData("http://10.0.0.1/", "must use https")]
    [InlineData("ftp://127.0.0.1/", "must use https")]
    [InlineData("https://api.intercom.io/?token=x", "query or fragment")]
    [InlineData("https://api.intercom.io/#x", "query or fragment")]
    [InlineData("https://user:hunter2@api.intercom.io/", "credentials")]
    public void ValidateBaseUri_refuses_what_the_token_must_not_be_sent_to(string uri, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => IntercomEndpoints.ValidateBaseUri(new Uri(uri)));
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain("hunter2", ex.Message);
        Assert.DoesNotContain("token=x", ex.Message);
    }

    [Fact]
    public void ValidateBaseUri_refuses_relative_uris()
    {
        var ex = Assert.Throws<ArgumentException>(() => IntercomEndpoints.ValidateBaseUri(new Uri("/api", UriKind.Relative)));
        Assert.Contains("not absolute", ex.Message);
    }

    [Theory]
    [InlineData("2.14")]
    [InlineData("2.7")]
    [InlineData("10.10")]
    [InlineData("Preview")]
    [InlineData("preview")]
    [InlineData("Unstable")]
    [InlineData("UNSTABLE")]
    public void IsValidApiVersion_accepts_N_N_and_the_named_versions(string version) =>
        Assert.True(IntercomEndpoints.IsValidApiVersion(version));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2")]
    [InlineData("2.")]
    [InlineData("v2.14")]
    [InlineData("2.14.1")]
    [InlineData("123.4")]
    [InlineData("2.x")]
    [InlineData(" 2.14")]
    [InlineData("2.14 ")]
    [InlineData("2.14\n")]                 // it goes into a header
    [InlineData("2.14\r\nX-Injected: 1")]
    [InlineData("\u0662.\u0661\u0664")]    // Arabic-Indic digits: \d matches them, Intercom does not
    [InlineData("Previews")]
    public void IsValidApiVersion_refuses_anything_else(string? version) =>
        Assert.False(IntercomEndpoints.IsValidApiVersion(version));

    [Fact]
    public void Every_known_version_is_valid()
    {
        Assert.Contains(IntercomEndpoints.DefaultApiVersion, IntercomEndpoints.KnownApiVersions);
        Assert.All(IntercomEndpoints.KnownApiVersions, version => Assert.True(IntercomEndpoints.IsValidApiVersion(version), version));
    }
}
