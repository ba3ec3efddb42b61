namespace IntercomSubscriptions;

/// <summary>The types a run goes on with; <see cref="RefreshFailure"/> says why they were not refreshed, when they could not be.</summary>
internal readonly record struct HeldSubscriptionTypes(IReadOnlyList<SubscriptionType> Types, Exception? RefreshFailure, DateTimeOffset FetchedAt);
