using System.Net;
using FakeIntercom.Pipeline;

namespace IntercomSubscriptions.Tests.FakeServer;

public sealed class ApiVersionCheckTests : FakeServerFixture
{
    [Theory]
    [InlineData("2.14", true)]
    [InlineData("10.2", true)]
    [InlineData("Unstable", true)]
    [InlineData("Preview", true)]
    [InlineData("2.14\n", false)]          // ^…$ would accept it: $ matches before a final newline
    [InlineData("\u0662.\u0661\u0664", false)] // Arabic-Indic digits: \d would accept them
    [InlineData("2.", false)]
    [InlineData("banana", false)]
    public void Only_ASCII_digit_versions_and_the_named_ones_are_valid(string version, bool valid) =>
        Assert.Equal(valid, ApiVersionStage.IsValidVersion(version));

    [Fact]
    public async Task An_invalid_version_header_gets_Intercoms_400_and_a_valid_one_passes()
    {
        using var bad = new HttpRequestMessage(HttpMethod.Get, "subscription_types");
        bad.Headers.Add("Intercom-Version", "2.x");
        using var refused = await Http.SendAsync(bad);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("intercom_version_invalid", (await JsonOf(refused)).GetProperty("errors")[0].GetProperty("code").GetString());

        using var good = new HttpRequestMessage(HttpMethod.Get, "subscription_types");
        good.Headers.Add("Intercom-Version", "2.14");
        using var accepted = await Http.SendAsync(good);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }
}
