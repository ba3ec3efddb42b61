namespace IntercomSubscriptions.Engine;

/// <summary>A contact as a search returns it: its id and what it can be found by.</summary>
internal sealed record ContactData(string Id, string? Email, string? ExternalId, string? Role);
