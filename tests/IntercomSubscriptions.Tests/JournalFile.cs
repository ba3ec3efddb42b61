using System.Text.Json;

namespace IntercomSubscriptions.Tests;

/// <summary>
/// A journal as a test reads it, straight from its JSON lines (the tests do not reference the module's
/// assemblies): each change's intent with what became of it. An intent with no outcome line is in doubt.
/// </summary>
internal sealed class JournalFile
{
    public sealed record Change(string Run, long Seq, string ContactId, string SubscriptionId, string Action, string? Before, string Outcome, string? ErrorId);

    private JournalFile(IReadOnlyList<Change> changes, IReadOnlyList<JsonElement> lines)
    {
        Changes = changes;
        Lines = lines;
    }

    public IReadOnlyList<Change> Changes { get; }

    public IReadOnlyList<JsonElement> Lines { get; }

    /// <summary>Contacts with a change the journal says may have been applied: applied, in doubt, or intent with no outcome.</summary>
    public ISet<string> MayHaveApplied => Changes.Where(c => c.Outcome is "applied" or "in_doubt").Select(c => c.ContactId).ToHashSet();

    public ISet<string> Applied => Changes.Where(c => c.Outcome == "applied").Select(c => c.ContactId).ToHashSet();

    public int Count(string outcome) => Changes.Count(c => c.Outcome == outcome);

    public static JournalFile Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        var outcomes = new Dictionary<(string, long), (string Outcome, string? ErrorId)>();
        foreach (var line in lines.Where(l => l.GetProperty("event").GetString() == "outcome"))
            outcomes[(line.GetProperty("run").GetString()!, line.GetProperty("seq").GetInt64())] = (line.GetProperty("outcome").GetString()!, Text(line, "error_id"));
        var changes = lines.Where(l => l.GetProperty("event").GetString() == "intent").Select(l =>
        {
            var key = (l.GetProperty("run").GetString()!, l.GetProperty("seq").GetInt64());
            var (outcome, errorId) = outcomes.TryGetValue(key, out var known) ? known : ("in_doubt", null);
            return new Change(key.Item1, key.Item2, l.GetProperty("contact_id").GetString()!, l.GetProperty("subscription_id").GetString()!,
                l.GetProperty("action").GetString()!, Text(l, "before"), outcome, errorId);
        }).ToList();
        return new JournalFile(changes, lines);
    }

    private static string? Text(JsonElement line, string name) =>
        line.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
