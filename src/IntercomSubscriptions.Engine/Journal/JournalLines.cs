using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// A journal's lines: one JSON object each (JSON Lines), so that <c>Get-Content j.jsonl | ConvertFrom-Json</c>
/// reads it line by line, and a line torn by a crash spoils only itself. Every text field is cut to a
/// length of its own, so a line is at most <see cref="MaxLineBytes"/> bytes whatever the input
/// (typically about 450). No token, no message text: ids, keys, and the error's id only.
/// </summary>
/// <remarks>
/// Here in the engine because System.Text.Json loads only into the engine's own load context. Non-ASCII
/// text is written as UTF-8, not \u-escaped (a file, not HTML), so an accented email stays readable.
/// </remarks>
internal static class JournalLines
{
    /// <summary>The format's version, in every line ("v").</summary>
    public const int Version = 1;

    /// <summary>The longest a line can be: the fields' lengths, each character escaped at worst as \uXXXX.</summary>
    public const int MaxLineBytes = 8 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Serialize(JournalEvent journalEvent)
    {
        using var buffer = new MemoryStream(512);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("v", Version);
            switch (journalEvent)
            {
                case JournalIntent intent:
                    Common(json, "intent", intent);
                    json.WriteNumber("seq", intent.Seq);
                    Text(json, "command", intent.Command, 64);
                    Text(json, "workspace", intent.Workspace, 200);
                    Text(json, "contact_id", intent.ContactId, IntercomIds.MaxLength);
                    Text(json, "key", intent.Key, 16);
                    Text(json, "key_value", intent.KeyValue, 320);
                    Text(json, "subscription_id", intent.SubscriptionId, 32);
                    Text(json, "subscription_name", intent.SubscriptionName, 200);
                    Text(json, "consent_type", intent.ConsentType, 32);
                    Text(json, "before", intent.ChoiceBefore, 16);
                    Text(json, "after", intent.ChoiceAfter, 16);
                    Text(json, "action", intent.Action, 16);
                    break;
                case JournalOutcome outcome:
                    Common(json, "outcome", outcome);
                    json.WriteNumber("seq", outcome.Seq);
                    Text(json, "contact_id", outcome.ContactId, IntercomIds.MaxLength);
                    Text(json, "subscription_id", outcome.SubscriptionId, 32);
                    Text(json, "outcome", outcome.Outcome, 16);
                    Text(json, "error_id", outcome.ErrorId, 64);
                    Text(json, "request_id", outcome.RequestId, 100);
                    break;
                case JournalCheck check:
                    Common(json, "check", check);
                    Text(json, "contact_id", check.ContactId, IntercomIds.MaxLength);
                    Text(json, "subscription_id", check.SubscriptionId, 32);
                    Text(json, "after", check.ChoiceAfter, 16);
                    Text(json, "outcome", check.InEffect ? JournalWords.Applied : JournalWords.NotApplied, 16);
                    break;
                case JournalRunEnd end:
                    Common(json, "end", end);
                    Text(json, "command", end.Command, 64);
                    Text(json, "status", end.Status, 32);
                    json.WriteNumber("received", end.Received);
                    json.WriteNumber("succeeded", end.Succeeded);
                    json.WriteNumber("failed", end.Failed);
                    json.WriteNumber("skipped", end.Skipped);
                    json.WriteNumber("in_doubt", end.InDoubt);
                    json.WriteNumber("not_processed", end.NotProcessed);
                    break;
                default:
                    throw new ArgumentException($"Unknown journal event {journalEvent.GetType().Name}.", nameof(journalEvent));
            }
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>The event a line holds; null for a line of a kind this version does not know. Throws <see cref="JsonException"/> (or FormatException) for a line that is not one.</summary>
    public static JournalEvent? Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new JsonException("A journal line is a JSON object.");
        var at = DateTimeOffset.Parse(Required(root, "at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        var run = Required(root, "run");
        return Optional(root, "event") switch
        {
            "intent" => new JournalIntent(at, run, Number(root, "seq"), Optional(root, "command") ?? "", Optional(root, "workspace") ?? "",
                Required(root, "contact_id"), Optional(root, "key") ?? JournalWords.KeyId, Optional(root, "key_value") ?? "",
                Required(root, "subscription_id"), Optional(root, "subscription_name"), Optional(root, "consent_type"),
                Optional(root, "before"), Required(root, "after"), Required(root, "action")),
            "outcome" => new JournalOutcome(at, run, Number(root, "seq"), Required(root, "contact_id"), Required(root, "subscription_id"),
                Required(root, "outcome"), Optional(root, "error_id"), Optional(root, "request_id")),
            "check" => new JournalCheck(at, run, Required(root, "contact_id"), Required(root, "subscription_id"), Required(root, "after"),
                Optional(root, "outcome") == JournalWords.Applied),
            "end" => new JournalRunEnd(at, run, Optional(root, "command") ?? "", Optional(root, "status") ?? "", Number(root, "received"),
                Number(root, "succeeded"), Number(root, "failed"), Number(root, "skipped"), Number(root, "in_doubt"), Number(root, "not_processed")),
            _ => null,
        };
    }

    private static void Common(Utf8JsonWriter json, string kind, JournalEvent journalEvent)
    {
        json.WriteString("event", kind);
        json.WriteString("at", journalEvent.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        Text(json, "run", journalEvent.Run, 32);
    }

    private static void Text(Utf8JsonWriter json, string name, string? value, int maxLength)
    {
        if (value is null)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteString(name, Bounded(value, maxLength));
    }

    /// <summary><paramref name="value"/> cut to <paramref name="maxLength"/> characters (a surrogate pair is never split), marked with '…' when cut.</summary>
    internal static string Bounded(string value, int maxLength)
    {
        if (value.Length <= maxLength) return value;
        var cut = maxLength - 1;
        if (char.IsHighSurrogate(value[cut - 1])) cut--;
        return value.Substring(0, cut) + "…";
    }

    private static string Required(JsonElement root, string name) =>
        Optional(root, name) ?? throw new JsonException($"The journal line has no '{name}'.");

    private static string? Optional(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : 0;
}
