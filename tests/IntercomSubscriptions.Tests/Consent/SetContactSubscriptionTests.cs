using System.Management.Automation;
using FakeIntercom;

namespace IntercomSubscriptions.Tests.Consent;

/// <summary>Set-IntercomContactSubscription over HTTP: every transition on both consent types, idempotence, -WhatIf, CSV columns.</summary>
public sealed class SetContactSubscriptionTests : IntercomTestBase
{
    private const string Attaches = "POST /contacts/{id}/subscriptions";
    private const string Detaches = "DELETE /contacts/{id}/subscriptions/{typeId}";
    private const string Reads = "GET /contacts/{id}/subscriptions";

    private int Writes => Server.CallCount(Attaches) + Server.CallCount(Detaches);

    // type, the contact's explicit choice before (null: none), state asked, the action, its choice after.
    [Theory]
    [InlineData(Newsletters, null, "Subscribed", "opt_in", "opt_in")]
    [InlineData(Newsletters, "opt_in", "Subscribed", "none", "opt_in")]
    [InlineData(Newsletters, "opt_in", "Unsubscribed", "remove", null)]
    [InlineData(Newsletters, null, "Unsubscribed", "none", null)]
    [InlineData(Newsletters, "opt_in", "Default", "remove", null)]
    [InlineData(Newsletters, null, "Default", "none", null)]
    [InlineData(ProductUpdates, null, "Unsubscribed", "opt_out", "opt_out")]
    [InlineData(ProductUpdates, "opt_out", "Unsubscribed", "none", "opt_out")]
    [InlineData(ProductUpdates, "opt_out", "Subscribed", "remove", null)]
    [InlineData(ProductUpdates, null, "Subscribed", "none", null)]
    [InlineData(ProductUpdates, "opt_out", "Default", "remove", null)]
    [InlineData(ProductUpdates, null, "Default", "none", null)]
    public void Each_transition_sends_exactly_the_write_it_takes(string typeId, string? before, string state, string action, string? after)
    {
        if (before is not null) Server.State.SetChoice(Grace, typeId, before);
        Connect();
        Server.ResetLog();

        var result = Run($"Set-IntercomContactSubscription -ContactId {Grace} -SubscriptionId {typeId} -State {state} -Confirm:$false");

        Assert.Empty(result.Errors);
        var change = result.Objects("IntercomSubscriptions.ContactSubscriptionChange").Single();
        Assert.Equal(action, (string)change.Action);
        Assert.Equal(action != "none", (bool)change.Changed);
        Assert.Equal(state, change.State.ToString());
        Assert.Equal(before is null ? "Default" : "Explicit", change.SourceBefore.ToString());
        Assert.Equal(after is null ? "Default" : "Explicit", change.SourceAfter.ToString());
        var reaches = state switch { "Subscribed" => true, "Unsubscribed" => false, _ => typeId == ProductUpdates };
        Assert.Equal(reaches, (bool)change.SubscribedAfter);

        Assert.Equal(after, Server.State.GetChoices(Grace).GetValueOrDefault(typeId));
        Assert.Equal(1, Server.CallCount(Reads));
        Assert.Equal(action is "opt_in" or "opt_out" ? 1 : 0, Server.CallCount(Attaches));
        Assert.Equal(action == "remove" ? 1 : 0, Server.CallCount(Detaches));
        if (action is "opt_in" or "opt_out")
            Assert.Contains($"\"consent_type\":\"{action}\"", ApiRequests("POST").Single().Body);
    }

    private static string WishRows => """
        $rows = for ($i = 0; $i -lt $ids.Count; $i++) {
            $state = @('Subscribed', 'unsubscribed', 'Default')[$i % 3]
            $type = @('Newsletters', 'Product updates')[$i % 2]
            [pscustomobject]@{ contact_id = $ids[$i]; subscription_name = $type; state = $state }
        }
        """;

    [Fact]
    public void A_second_run_of_the_same_rows_sends_no_write_and_keeps_the_input_order()
    {
        var ids = Enumerable.Range(0, 60).Select(i => $"set{i:D4}").ToArray();
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            Server.State.AddContact(id);
            // Every starting point: a third opted in to Newsletters, a third opted out of Product updates.
            if (i % 3 == 1) Server.State.SetChoice(id, Newsletters, "opt_in");
            if (i % 3 == 2) Server.State.SetChoice(id, ProductUpdates, "opt_out");
        }
        Connect();
        Server.ResetLog();

        var first = Run(WishRows + "\n$rows | Set-IntercomContactSubscription -Confirm:$false", new() { ["ids"] = ids });

        Assert.Empty(first.Errors);
        var firstOut = first.Objects("IntercomSubscriptions.ContactSubscriptionChange").ToList();
        Assert.Equal(ids, firstOut.Select(o => (string)o.ContactId));
        var firstWrites = Writes;
        Assert.Equal(firstOut.Count(o => (bool)o.Changed), firstWrites);
        Assert.True(firstWrites > 0);
        Assert.Contains(firstOut, o => !(bool)o.Changed);

        Server.ResetLog();
        var second = Run(WishRows + "\n$rows | Set-IntercomContactSubscription -Confirm:$false", new() { ["ids"] = ids });

        Assert.Empty(second.Errors);
        var secondOut = second.Objects("IntercomSubscriptions.ContactSubscriptionChange").ToList();
        Assert.Equal(ids, secondOut.Select(o => (string)o.ContactId));
        Assert.All(secondOut, o => Assert.False((bool)o.Changed));
        Assert.All(secondOut, o => Assert.Equal("none", (string)o.Action));
        Assert.Equal(0, Writes);
        Assert.Empty(ApiRequests("POST").Concat(ApiRequests("DELETE")));
        Assert.Equal(ids.Length, Server.CallCount(Reads));
        for (var i = 0; i < ids.Length; i++)
        {
            var typeId = i % 2 == 0 ? Newsletters : ProductUpdates;
            var reaches = (i % 3) switch { 0 => true, 1 => false, _ => typeId == ProductUpdates };
            Assert.Equal(reaches, (bool)secondOut[i].SubscribedAfter);
        }
    }

    [Fact]
    public void WhatIf_reads_sends_no_write_and_reports_the_counts()
    {
        Server.State.SetChoice(Ada, Newsletters, "opt_in");
        Connect();
        Server.ResetLog();

        var result = Run($"""
            Set-IntercomContactSubscription -ContactId {Ada},{Grace} -SubscriptionId {Newsletters} -State Subscribed -WhatIf
            """);

        Assert.Empty(result.Errors);
        Assert.Empty(result.Output);
        Assert.Equal(0, Writes);
        Assert.Equal(2, Server.CallCount(Reads));
        Assert.False(Server.State.GetChoices(Grace).ContainsKey(Newsletters));
        Assert.Contains(result.Information, line => line.Contains("1 of 2") && line.Contains("1 is already"));
    }

    [Fact]
    public void A_row_without_a_state_fails_alone()
    {
        Connect();
        var result = Run($$"""
            @(
                [pscustomobject]@{ contact_id = '{{Grace}}'; subscription_id = '{{ProductUpdates}}' }
                [pscustomobject]@{ contact_id = '{{Grace}}'; subscription_id = '{{Newsletters}}'; state = 'subscribed' }
            ) | Set-IntercomContactSubscription -Confirm:$false
            """);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomStateColumnMissing", error.FullyQualifiedErrorId);
        var change = result.Objects("IntercomSubscriptions.ContactSubscriptionChange").Single();
        Assert.Equal(Newsletters, (string)change.SubscriptionId);
        Assert.Equal("opt_in", Server.State.GetChoices(Grace)[Newsletters]);
    }

    [Fact]
    public void A_state_that_is_none_of_the_three_fails_its_row_naming_the_value()
    {
        Connect();
        // PowerShell cannot convert 'Sometimes' to a state, so it leaves -State unbound without an
        // error of its own: the module reads the cell, and the error names what the row says.
        var result = Run($$"""
            @(
                [pscustomobject]@{ contact_id = '{{Grace}}'; subscription_id = '{{Newsletters}}'; state = 'Sometimes' }
                [pscustomobject]@{ contact_id = '{{Grace}}'; subscription_id = '{{ProductUpdates}}'; state = 'unsubscribed' }
            ) | Set-IntercomContactSubscription -Confirm:$false
            """);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomStateColumnMissing,", error.FullyQualifiedErrorId);
        Assert.Contains("'Sometimes'", error.ErrorDetails.Message);
        Assert.IsType<PSObject>(error.TargetObject);
        Assert.False(Server.State.GetChoices(Grace).ContainsKey(Newsletters));
        Assert.Equal("opt_out", Server.State.GetChoices(Grace)[ProductUpdates]);
    }

    [Fact]
    public void An_email_names_the_contact_and_an_unknown_contact_fails_alone()
    {
        Connect();
        var result = Run($$"""
            @(
                [pscustomobject]@{ email = 'nobody@example.com'; subscription_id = '{{ProductUpdates}}'; state = 'Unsubscribed' }
                [pscustomobject]@{ email = '{{GraceEmail}}'; subscription_id = '{{ProductUpdates}}'; state = 'Unsubscribed' }
            ) | Set-IntercomContactSubscription -Confirm:$false
            """);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomContactNotFound", error.FullyQualifiedErrorId);
        Assert.Equal(Grace, (string)result.Objects("IntercomSubscriptions.ContactSubscriptionChange").Single().ContactId);
        Assert.Equal("opt_out", Server.State.GetChoices(Grace)[ProductUpdates]);
    }

    [Fact]
    public void Rows_as_real_CSVs_have_them_work_as_for_Add_and_the_output_joins_back_by_email()
    {
        Connect();
        Server.ResetLog();

        var result = Run($$"""
            @(
                [pscustomobject]@{ "$([char]0xFEFF)Contact ID" = ''; 'Email Address' = ' {{AdaEmail}} '; 'Subscription ID' = ' 108 '; state = 'Subscribed' }
                @{ contact_id = '{{Grace}}'; subscription_name = 'Product updates'; subscription_id = ''; state = 'Unsubscribed' }
                [pscustomobject]@{ contact_id = '{{Grace}}'; email = '{{AdaEmail}}'; subscription_id = '108'; state = 'Subscribed' }
            ) | Set-IntercomContactSubscription -Confirm:$false
            """);

        var changes = result.Objects("IntercomSubscriptions.ContactSubscriptionChange").ToList();
        Assert.True(changes.Count == 2, string.Join(" | ", result.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e)));
        Assert.Equal(Ada, (string)changes[0].ContactId);
        Assert.Equal(AdaEmail, (string)changes[0].Email);
        Assert.Equal("opt_in", (string)changes[0].Action);
        Assert.Equal(Grace, (string)changes[1].ContactId);
        Assert.Equal("opt_out", (string)changes[1].Action);
        Assert.Equal("opt_in", Server.State.GetChoices(Ada)[Newsletters]);
        Assert.Equal("opt_out", Server.State.GetChoices(Grace)[ProductUpdates]);
        // The third row names two different contacts: refused, naming both, and nothing is written for it.
        var conflict = Assert.Single(result.Errors);
        Assert.StartsWith("IntercomContactConflict,", conflict.FullyQualifiedErrorId);
        Assert.False(Server.State.GetChoices(Grace).ContainsKey(Newsletters));
    }
}
