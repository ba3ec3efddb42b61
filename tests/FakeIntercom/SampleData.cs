namespace FakeIntercom;

/// <summary>
/// The sample workspace <see cref="FakeIntercomState.AddSampleData"/> seeds (and every test server
/// starts with, unless <see cref="FakeIntercomOptions.SeedSampleData"/> is off): tests name its
/// contacts and types through these constants rather than repeating the literals.
/// </summary>
public static class SampleData
{
    /// <summary>Contact ada@example.com, external id u-1001; has opted out of <see cref="ProductUpdates"/>.</summary>
    public const string Ada = "63a07ddf05a32042dffac965";
    public const string AdaEmail = "ada@example.com";
    public const string AdaExternalId = "u-1001";

    /// <summary>Contact grace@example.com, external id u-1002; no explicit choices.</summary>
    public const string Grace = "63a07ddf05a32042dffac966";
    public const string GraceEmail = "grace@example.com";
    public const string GraceExternalId = "u-1002";

    /// <summary>Two contacts (a user and a lead) share this email: a search for it is ambiguous.</summary>
    public const string SharedEmail = "shared@example.com";
    public const string SharedEmailUser = "63a07ddf05a32042dffac967";
    public const string SharedEmailLead = "63a07ddf05a32042dffac968";

    /// <summary>"Newsletters": opt_in, live, email.</summary>
    public const string Newsletters = "108";

    /// <summary>"Product updates": opt_out, live, email, with a French translation.</summary>
    public const string ProductUpdates = "109";

    /// <summary>"SMS offers": opt_in, live, sms_message.</summary>
    public const string SmsOffers = "110";

    /// <summary>"Old digest": opt_out, archived, email.</summary>
    public const string OldDigest = "111";
}
