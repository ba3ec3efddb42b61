using System.Net.Http;
using System.Text.Json;

namespace IntercomSubscriptions.Engine;

/// <summary>The paths and JSON bodies of the calls the module makes. Ids are checked and escaped here.</summary>
internal static class IntercomRequests
{
    /// <summary>Results per search page; a handful of pages is already far more than one email should match.</summary>
    public const int SearchPageSize = 50;

    /// <summary>Contacts per page of GET /contacts: the most Intercom serves.</summary>
    public const int ContactPageSize = 150;

    public static IntercomRequest ListSubscriptionTypes() =>
        new(HttpMethod.Get, "subscription_types", null, NotFoundMeaning.Endpoint);

    public static IntercomRequest ListContactSubscriptions(string contactId) =>
        new(HttpMethod.Get, ContactSubscriptionsPath(contactId), null, NotFoundMeaning.Contact);

    public static IntercomRequest AttachSubscription(string contactId, string subscriptionTypeId, string consentType)
    {
        IntercomIds.RequireSubscriptionTypeId(subscriptionTypeId);
        // PowerShell users type OPT_IN as readily as opt_in; Intercom wants its own spelling.
        consentType = consentType.ToLowerInvariant();
        if (consentType is not ("opt_in" or "opt_out"))
            throw new ArgumentException($"The consent '{PrintableText.Shortened(consentType)}' is not opt_in or opt_out.");
        // Intercom's samples send the id as a number, but its schema says string: send a string.
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["id"] = subscriptionTypeId, ["consent_type"] = consentType });
        return new(HttpMethod.Post, ContactSubscriptionsPath(contactId), body, NotFoundMeaning.ContactOrSubscriptionType);
    }

    public static IntercomRequest DetachSubscription(string contactId, string subscriptionTypeId) =>
        new(HttpMethod.Delete,
            ContactSubscriptionsPath(contactId) + "/" + Uri.EscapeDataString(IntercomIds.RequireSubscriptionTypeId(subscriptionTypeId)),
            null, NotFoundMeaning.ContactOrSubscriptionType);

    /// <summary>
    /// One page of contacts whose email or external id is one of <paramref name="values"/>: "=" for
    /// one value, "IN" for several (Intercom counts each value against its 15 filters per group).
    /// </summary>
    public static IntercomRequest SearchContacts(ContactSearchField field, IReadOnlyList<string> values, string? startingAfter)
    {
        if (values.Count == 0) throw new ArgumentException("A contact search needs at least one value.", nameof(values));
        var pagination = new Dictionary<string, object> { ["per_page"] = SearchPageSize };
        if (startingAfter is not null) pagination["starting_after"] = startingAfter;
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["query"] = new Dictionary<string, object>
            {
                ["field"] = field == ContactSearchField.Email ? "email" : "external_id",
                ["operator"] = values.Count == 1 ? "=" : "IN",
                ["value"] = values.Count == 1 ? values[0] : values,
            },
            ["pagination"] = pagination,
        });
        return new(HttpMethod.Post, "contacts/search", body, NotFoundMeaning.Endpoint);
    }

    public static IntercomRequest GetContact(string contactId) =>
        new(HttpMethod.Get, ContactPath(contactId), null, NotFoundMeaning.Contact);

    /// <summary>One page of every contact in the workspace, after the cursor <paramref name="startingAfter"/> (null: the first page).</summary>
    public static IntercomRequest ListContacts(string? startingAfter) =>
        new(HttpMethod.Get,
            $"contacts?per_page={ContactPageSize}" + (startingAfter is null ? "" : "&starting_after=" + Uri.EscapeDataString(startingAfter)),
            null, NotFoundMeaning.Endpoint);

    private static string ContactPath(string contactId) => "contacts/" + IntercomIds.EscapeSegment(contactId, "contact id");

    private static string ContactSubscriptionsPath(string contactId) =>
        ContactPath(contactId) + "/subscriptions";
}
