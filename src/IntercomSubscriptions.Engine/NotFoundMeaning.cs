namespace IntercomSubscriptions.Engine;

/// <summary>Which resources a call names, and so what a 404 from it can be about.</summary>
internal enum NotFoundMeaning
{
    /// <summary>No one resource (a list, a search): a 404 is the endpoint's own, a plain NotFound.</summary>
    Endpoint,
    /// <summary>One contact (a read of it or of its subscriptions): a 404 is that contact's, whatever its text says.</summary>
    Contact,
    /// <summary>
    /// A contact and a subscription type (attach, detach): only Intercom's documented messages say which
    /// is missing ("User Not Found": the contact, "Resource Not Found": the type); any other 404 is a
    /// plain NotFound that names both rather than a guess at one.
    /// </summary>
    ContactOrSubscriptionType,
}
