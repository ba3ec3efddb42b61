namespace IntercomSubscriptions.Engine;

/// <summary>Which request a rate-limit answer belongs to: its place in the sending order, and when it went.</summary>
internal readonly record struct PacerTicket(long Sequence, DateTimeOffset SentAt);
