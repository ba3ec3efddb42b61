namespace IntercomSubscriptions.Engine;

/// <summary>One translation of a subscription type: its name, description and locale.</summary>
internal sealed record TranslationData(string? Name, string? Description, string? Locale);
