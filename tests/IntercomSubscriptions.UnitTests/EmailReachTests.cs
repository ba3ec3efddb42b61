namespace IntercomSubscriptions.UnitTests;

public sealed class EmailReachTests
{
    private static readonly EmailReach.EmailStatus Reachable = new(false, false, false);

    private static ContactSubscription Subscription(string consentType, SubscriptionSource source, params string[] contentTypes) =>
        ModelMapper.ToContactSubscription("c1", new SubscriptionType { Id = "108", ConsentType = consentType, State = "live", ContentTypes = contentTypes }, source);

    [Theory]
    [InlineData("opt_in", SubscriptionSource.Explicit, true, "opted in")]
    [InlineData("opt_in", SubscriptionSource.Default, false, "not opted in (opt-in type)")]
    [InlineData("opt_out", SubscriptionSource.Explicit, false, "opted out")]
    [InlineData("opt_out", SubscriptionSource.Default, true, "subscribed by default (opt-out type)")]
    public void A_reachable_contact_gets_what_its_consent_says(string consentType, SubscriptionSource source, bool willReceive, string reason)
    {
        Assert.Equal((willReceive, reason), EmailReach.Decide(Subscription(consentType, source, "email"), Reachable));
    }

    [Theory]
    [InlineData(true, false, false, "unsubscribed from all email")]
    [InlineData(false, true, false, "email address hard bounced")]
    [InlineData(false, false, true, "marked email as spam")]
    public void Each_email_flag_stops_an_email_type(bool unsubscribed, bool bounced, bool spam, string blocked)
    {
        var status = new EmailReach.EmailStatus(unsubscribed, bounced, spam);
        Assert.Equal((false, "opted in, but " + blocked), EmailReach.Decide(Subscription("opt_in", SubscriptionSource.Explicit, "email"), status));
    }

    [Fact]
    public void Email_flags_leave_sms_alone_and_a_mixed_type_reaches_by_its_other_channels()
    {
        var unsubscribed = new EmailReach.EmailStatus(true, false, false);
        Assert.Equal((true, "opted in"), EmailReach.Decide(Subscription("opt_in", SubscriptionSource.Explicit, "sms_message"), unsubscribed));
        Assert.Equal((true, "opted in; not by email (unsubscribed from all email), by sms_message only"),
            EmailReach.Decide(Subscription("opt_in", SubscriptionSource.Explicit, "email", "sms_message"), unsubscribed));
    }

    [Fact]
    public void An_unknown_consent_type_or_an_archived_type()
    {
        Assert.Null(EmailReach.Decide(Subscription("double_opt_in", SubscriptionSource.Explicit, "email"), Reachable).WillReceive);
        var archived = Subscription("opt_out", SubscriptionSource.Default, "email");
        archived.State = "archived";
        Assert.Equal((false, "subscription type archived"), EmailReach.Decide(archived, Reachable));
    }
}
