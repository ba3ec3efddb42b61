using System.Net;
using FakeIntercom;

namespace IntercomSubscriptions.Tests.FakeServer;

/// <summary>The token knobs of issue 9: a token revoked, or an app refused, part-way through a run.</summary>
public sealed class TokenRefusalKnobTests : FakeServerFixture
{
    private async Task<(HttpStatusCode Status, string? Code)> GetAsync()
    {
        using var response = await Http.GetAsync("subscription_types");
        var code = response.IsSuccessStatusCode ? null : (await JsonOf(response)).GetProperty("errors")[0].GetProperty("code").GetString();
        return (response.StatusCode, code);
    }

    [Fact]
    public async Task A_token_revoked_from_the_third_request_works_twice_then_gets_401_until_reset()
    {
        Server.Faults.RevokeTokenFromRequest(3);
        var answers = new List<(HttpStatusCode, string?)>();
        for (var i = 0; i < 4; i++) answers.Add(await GetAsync());
        Assert.Equal(new (HttpStatusCode, string?)[]
        {
            (HttpStatusCode.OK, null), (HttpStatusCode.OK, null),
            (HttpStatusCode.Unauthorized, "unauthorized"), (HttpStatusCode.Unauthorized, "unauthorized"),
        }, answers);

        Server.Faults.Reset();
        Assert.Equal(HttpStatusCode.OK, (await GetAsync()).Status);
    }

    [Fact]
    public async Task A_token_revoked_from_a_moment_works_before_it_and_not_after()
    {
        Server.Faults.RevokeTokenFrom(DateTimeOffset.UtcNow.AddHours(1));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync()).Status);
        Server.Faults.RevokeTokenFrom(DateTimeOffset.UtcNow.AddSeconds(-1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync()).Status);
    }

    [Theory]
    [InlineData(AppRefusal.Plan, "api_plan_restricted")]
    [InlineData(AppRefusal.Scope, "forbidden")]
    public async Task An_app_can_be_refused_with_a_403_about_its_plan_or_scopes(AppRefusal reason, string code)
    {
        Server.Faults.ForbidAppFromRequest(2, reason);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync()).Status);
        Assert.Equal((HttpStatusCode.Forbidden, code), await GetAsync());
    }

    [Fact]
    public async Task A_wrong_token_is_still_a_401_and_does_not_count_towards_the_revocation()
    {
        Server.Faults.RevokeTokenFromRequest(2);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "subscription_types");
        wrong.Headers.Authorization = new("Bearer", "not-the-token");
        using (var refused = await Http.SendAsync(wrong)) Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync()).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync()).Status);
    }
}
