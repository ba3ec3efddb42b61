namespace IntercomSubscriptions.UnitTests;

/// <summary>Intercom's arithmetic, all of it: each consent type, each starting point, each state asked for.</summary>
public sealed class SubscriptionStatePlanTests
{
    [Theory]
    [InlineData("opt_in", false, ContactSubscriptionState.Subscribed, "opt_in", false, true)]
    [InlineData("opt_in", true, ContactSubscriptionState.Subscribed, "none", true, true)]
    [InlineData("opt_in", true, ContactSubscriptionState.Unsubscribed, "remove", true, false)]
    [InlineData("opt_in", false, ContactSubscriptionState.Unsubscribed, "none", false, false)]
    [InlineData("opt_in", true, ContactSubscriptionState.Default, "remove", true, false)]
    [InlineData("opt_in", false, ContactSubscriptionState.Default, "none", false, false)]
    [InlineData("opt_out", false, ContactSubscriptionState.Unsubscribed, "opt_out", true, false)]
    [InlineData("opt_out", true, ContactSubscriptionState.Unsubscribed, "none", false, false)]
    [InlineData("opt_out", true, ContactSubscriptionState.Subscribed, "remove", false, true)]
    [InlineData("opt_out", false, ContactSubscriptionState.Subscribed, "none", true, true)]
    [InlineData("opt_out", true, ContactSubscriptionState.Default, "remove", false, true)]
    [InlineData("opt_out", false, ContactSubscriptionState.Default, "none", true, true)]
    public void Plan(string consentType, bool hasChoice, ContactSubscriptionState wanted, string action, bool subscribedBefore, bool subscribedAfter)
    {
        var plan = SubscriptionStatePlan.For(consentType, hasChoice, wanted)!.Value;

        Assert.Equal(action, plan.Action);
        Assert.Equal(action != "none", plan.ChangesAnything);
        Assert.Equal(subscribedBefore, plan.SubscribedBefore);
        Assert.Equal(subscribedAfter, plan.SubscribedAfter);
        Assert.Equal(hasChoice ? SubscriptionSource.Explicit : SubscriptionSource.Default, plan.SourceBefore);
        // Only an attach leaves an explicit choice behind.
        var explicitAfter = action is "opt_in" or "opt_out" || (action == "none" && hasChoice);
        Assert.Equal(explicitAfter ? SubscriptionSource.Explicit : SubscriptionSource.Default, plan.SourceAfter);
    }

    [Theory]
    [InlineData(ContactSubscriptionState.Subscribed)]
    [InlineData(ContactSubscriptionState.Unsubscribed)]
    public void An_unknown_consent_type_has_no_plan_but_Default_still_removes_the_choice(ContactSubscriptionState wanted)
    {
        Assert.Null(SubscriptionStatePlan.For("double_opt_in", true, wanted));
        var reset = SubscriptionStatePlan.For("double_opt_in", true, ContactSubscriptionState.Default)!.Value;
        Assert.Equal("remove", reset.Action);
        Assert.Null(reset.SubscribedAfter);
    }

    [Fact]
    public void The_WhatIf_phrase_names_the_type_and_the_outcome()
    {
        var type = new SubscriptionType { Id = "109", Name = "Product updates", ConsentType = "opt_out" };
        Assert.Equal("Opt out of subscription type 109 (Product updates) (Default -> Unsubscribed)",
            SubscriptionStatePlan.For("opt_out", false, ContactSubscriptionState.Unsubscribed)!.Value.Describe(type));
        Assert.Equal("Remove the opt-out for subscription type 109 (Product updates), so its default applies (Subscribed by default)",
            SubscriptionStatePlan.For("opt_out", true, ContactSubscriptionState.Subscribed)!.Value.Describe(type));
    }
}
