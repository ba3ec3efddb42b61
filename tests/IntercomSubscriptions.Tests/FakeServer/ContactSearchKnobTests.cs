using System.Net;
using System.Text.Json;
using FakeIntercom;

namespace IntercomSubscriptions.Tests.FakeServer;

/// <summary>Issue 10's search: IN on email and external_id, AND/OR groups, Intercom's limits, calls counted per endpoint.</summary>
public sealed class ContactSearchKnobTests : FakeServerFixture
{
    private async Task<(HttpStatusCode Status, JsonElement Body)> SearchAsync(string query)
    {
        using var response = await PostJsonAsync("contacts/search", $$$"""{"query":{{{query}}},"pagination":{"per_page":150}}""");
        return (response.StatusCode, await JsonOf(response));
    }

    private static string[] Ids(JsonElement body) =>
        body.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToArray();

    private static string Values(int count) => "[" + string.Join(",", Enumerable.Range(0, count).Select(i => $"\"x{i}@example.com\"")) + "]";

    [Fact]
    public async Task IN_on_email_matches_every_listed_address_case_insensitively()
    {
        var (status, body) = await SearchAsync($$"""{"field":"email","operator":"IN","value":["GRACE@example.com","{{AdaEmail}}","nobody@example.com"]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(new[] { Ada, Grace }, Ids(body));
        Assert.Equal(2, body.GetProperty("total_count").GetInt32());
        Assert.Equal(AdaEmail, body.GetProperty("data")[0].GetProperty("email").GetString());
    }

    [Fact]
    public async Task IN_on_external_id_matches_exactly()
    {
        var (_, body) = await SearchAsync($$"""{"field":"external_id","operator":"IN","value":["{{GraceExternalId}}","U-1001"]}""");
        Assert.Equal(new[] { Grace }, Ids(body));
    }

    [Fact]
    public async Task Groups_nest_two_deep_as_Intercom_documents()
    {
        var (status, body) = await SearchAsync($$"""
            {"operator":"AND","value":[
                {"field":"role","operator":"=","value":"lead"},
                {"operator":"OR","value":[
                    {"field":"email","operator":"IN","value":["{{SharedEmail}}"]},
                    {"field":"external_id","operator":"=","value":"{{AdaExternalId}}"}]}]}
            """);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(new[] { SharedEmailLead }, Ids(body));

        var (deeper, error) = await SearchAsync($$"""
            {"operator":"AND","value":[{"operator":"OR","value":[{"operator":"AND","value":[{"field":"id","operator":"=","value":"{{Ada}}"}]}]}]}
            """);
        Assert.Equal(HttpStatusCode.BadRequest, deeper);
        Assert.Equal("parameter_invalid", error.GetProperty("errors")[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task Fifteen_values_are_accepted_and_sixteen_refused_in_one_group()
    {
        Assert.Equal(HttpStatusCode.OK, (await SearchAsync($$"""{"field":"email","operator":"IN","value":{{Values(15)}}}""")).Status);

        var (single, error) = await SearchAsync($$"""{"field":"email","operator":"IN","value":{{Values(16)}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, single);
        Assert.Contains("15", error.GetProperty("errors")[0].GetProperty("message").GetString());

        // An IN's values count towards its group, with the group's other filters.
        var (grouped, _) = await SearchAsync($$"""
            {"operator":"OR","value":[{"field":"email","operator":"IN","value":{{Values(8)}}},{"field":"external_id","operator":"IN","value":["a","b","c","d","e","f","g","h"]}]}
            """);
        Assert.Equal(HttpStatusCode.BadRequest, grouped);

        var sixteenFilters = string.Join(",", Enumerable.Range(0, 16).Select(i => $$"""{"field":"id","operator":"=","value":"c{{i}}"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, (await SearchAsync($$"""{"operator":"OR","value":[{{sixteenFilters}}]}""")).Status);
    }

    [Fact]
    public async Task A_lower_filter_limit_makes_the_fake_refuse_batches()
    {
        Server.Faults.SearchFilterLimit = 1;
        Assert.Equal(HttpStatusCode.BadRequest, (await SearchAsync($$"""{"field":"email","operator":"IN","value":["{{AdaEmail}}","{{GraceEmail}}"]}""")).Status);
        var (one, body) = await SearchAsync($$"""{"field":"email","operator":"IN","value":["{{AdaEmail}}"]}""");
        Assert.Equal(HttpStatusCode.OK, one);
        Assert.Equal(new[] { Ada }, Ids(body));
    }

    [Fact]
    public async Task NIN_and_not_equal_exclude()
    {
        var (_, body) = await SearchAsync($$"""
            {"operator":"AND","value":[{"field":"email","operator":"NIN","value":["{{AdaEmail}}","{{GraceEmail}}"]},{"field":"role","operator":"!=","value":"lead"}]}
            """);
        Assert.Equal(new[] { SharedEmailUser }, Ids(body));
    }

    [Fact]
    public async Task A_contact_replaced_with_a_new_email_and_external_id_is_found_by_the_new_ones_only()
    {
        Server.State.AddContact(Grace, "Grace.New@example.com", "U-new");

        Assert.Empty(Ids((await SearchAsync($$"""{"field":"email","operator":"=","value":"{{GraceEmail}}"}""")).Body));
        Assert.Empty(Ids((await SearchAsync($$"""{"field":"external_id","operator":"IN","value":["{{GraceExternalId}}"]}""")).Body));
        Assert.Equal(new[] { Grace }, Ids((await SearchAsync("""{"field":"email","operator":"=","value":"GRACE.NEW@EXAMPLE.COM"}""")).Body));
        Assert.Equal(new[] { Grace }, Ids((await SearchAsync("""{"field":"external_id","operator":"=","value":"U-new"}""")).Body));
        // External ids match exactly, unlike emails.
        Assert.Empty(Ids((await SearchAsync("""{"field":"external_id","operator":"=","value":"u-new"}""")).Body));
    }

    [Fact]
    public async Task Contacts_sharing_an_email_come_in_the_order_they_were_added_each_once()
    {
        var (_, body) = await SearchAsync($$"""
            {"operator":"OR","value":[{"field":"email","operator":"IN","value":["{{SharedEmail}}","{{SharedEmail.ToUpperInvariant()}}"]},{"field":"id","operator":"=","value":"{{Ada}}"}]}
            """);
        Assert.Equal(new[] { Ada, SharedEmailUser, SharedEmailLead }, Ids(body));
    }

    [Fact]
    public async Task An_OR_with_a_branch_on_an_unindexed_field_still_finds_every_match()
    {
        var (_, body) = await SearchAsync($$"""
            {"operator":"OR","value":[{"field":"email","operator":"=","value":"{{GraceEmail}}"},{"field":"role","operator":"=","value":"lead"}]}
            """);
        Assert.Equal(new[] { Grace, SharedEmailLead }, Ids(body));

        var (_, narrowed) = await SearchAsync($$"""
            {"operator":"AND","value":[{"field":"email","operator":"IN","value":["{{SharedEmail}}"]},{"field":"id","operator":"!=","value":"{{SharedEmailUser}}"}]}
            """);
        Assert.Equal(new[] { SharedEmailLead }, Ids(narrowed));
    }

    [Fact]
    public async Task Calls_are_counted_per_endpoint_whatever_the_answer()
    {
        await SearchAsync($$"""{"field":"email","operator":"=","value":"{{AdaEmail}}"}""");
        await SearchAsync($$"""{"field":"email","operator":"IN","value":{{Values(16)}}}""");
        (await Http.GetAsync($"contacts/{Ada}/subscriptions")).Dispose();
        (await Http.GetAsync($"contacts/{Grace}/subscriptions")).Dispose();
        (await Http.DeleteAsync($"contacts/{Ada}/subscriptions/{ProductUpdates}")).Dispose();
        (await Http.GetAsync("no/such/path")).Dispose();

        Assert.Equal(2, Server.CallCount("POST /contacts/search"));
        Assert.Equal(2, Server.CallCount("GET /contacts/{id}/subscriptions"));
        Assert.Equal(1, Server.CallCount("DELETE /contacts/{id}/subscriptions/{typeId}"));
        Assert.Equal(1, Server.CallCount("GET /no/such/path"));
        Assert.Equal(0, Server.CallCount("POST /contacts/{id}/subscriptions"));
        Assert.Equal(6, Server.CallCounts.Values.Sum());

        Server.ResetLog();
        Assert.Equal(0, Server.CallCount("POST /contacts/search"));
    }
}
