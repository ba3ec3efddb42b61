namespace IntercomSubscriptions.Engine;

/// <summary>One page of GET /contacts: its contacts, the cursor of the next page (null on the last), and Intercom's total.</summary>
internal sealed record ContactPageData(IReadOnlyList<ContactConsentData> Contacts, string? NextCursor, long? TotalCount);
