namespace IntercomSubscriptions.Tests.Consent;

/// <summary>Get-IntercomContactSubscription -IncludeDefault: WillReceive and Reason from the contact's email status, over HTTP.</summary>
public sealed class WillReceiveTests : IntercomTestBase
{
    private const string ContactReads = "GET /contacts/{id}";

    private Dictionary<string, dynamic> Subscriptions(string contactId)
    {
        var result = Run($"Get-IntercomContactSubscription -ContactId {contactId} -IncludeDefault");
        Assert.Empty(result.Errors);
        return result.Objects("IntercomSubscriptions.ContactSubscription").ToDictionary(o => (string)o.SubscriptionId);
    }

    [Fact]
    public void A_contact_unsubscribed_from_all_email_receives_no_email_type_even_when_opted_in()
    {
        Server.State.SetChoice(Ada, Newsletters, "opt_in");
        Server.State.SetEmailStatus(Ada, unsubscribedFromEmails: true);
        Connect();
        Server.ResetLog();

        var byType = Subscriptions(Ada);

        Assert.True(byType[Newsletters].Subscribed);
        Assert.False(byType[Newsletters].WillReceive);
        Assert.Equal("opted in, but unsubscribed from all email", (string)byType[Newsletters].Reason);
        Assert.False(byType[ProductUpdates].WillReceive);
        Assert.Equal("opted out", (string)byType[ProductUpdates].Reason);
        // SMS offers is opt_in with no choice: not reached, for its own reason.
        Assert.False(byType[SmsOffers].WillReceive);
        Assert.Equal("not opted in (opt-in type)", (string)byType[SmsOffers].Reason);
        Assert.Equal(1, Server.CallCount(ContactReads));
    }

    [Fact]
    public void A_reachable_contact_receives_the_opt_out_type_by_default_and_an_sms_type_whatever_its_email_status()
    {
        Server.State.SetChoice(Grace, SmsOffers, "opt_in");
        Server.State.SetEmailStatus(Grace, hasHardBounced: true);
        Connect();

        var byType = Subscriptions(Grace);

        Assert.True(byType[SmsOffers].WillReceive);
        Assert.Equal("opted in", (string)byType[SmsOffers].Reason);
        Assert.False(byType[ProductUpdates].WillReceive);
        Assert.Equal("subscribed by default (opt-out type), but email address hard bounced", (string)byType[ProductUpdates].Reason);

        Server.State.SetEmailStatus(Grace, hasHardBounced: false);
        byType = Subscriptions(Grace);
        Assert.True(byType[ProductUpdates].WillReceive);
        Assert.Equal("subscribed by default (opt-out type)", (string)byType[ProductUpdates].Reason);
        Assert.False(byType[Newsletters].WillReceive);
    }

    [Fact]
    public void Without_IncludeDefault_the_contact_is_not_read_and_WillReceive_stays_empty()
    {
        Connect();
        Server.ResetLog();

        var result = Run($"Get-IntercomContactSubscription -ContactId {Ada}");

        Assert.Empty(result.Errors);
        var only = result.Objects("IntercomSubscriptions.ContactSubscription").Single();
        Assert.Null(only.WillReceive);
        Assert.Null(only.Reason);
        Assert.Equal(0, Server.CallCount(ContactReads));
    }
}
