using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FakeIntercom.Control;

/// <summary>
/// <see cref="FaultSettings"/> by name: every public property is a knob (read by GET, set by POST when
/// it has a setter), so a knob added to FaultSettings is on the control surface with no change here;
/// the knobs that are methods are the actions below.
/// </summary>
internal static class FaultKnobs
{
    private static readonly JsonSerializerOptions JsonIn = new() { PropertyNameCaseInsensitive = true };

    private static readonly Dictionary<string, PropertyInfo> Properties = typeof(FaultSettings)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetMethod is { IsPublic: true })
        .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    private static readonly Dictionary<string, Action<FaultSettings, JsonElement>> Actions = new(StringComparer.OrdinalIgnoreCase)
    {
        // One scripted answer or an array of them (ScriptedResponse's properties; Body may be text or JSON).
        ["Scripted"] = (faults, value) =>
        {
            foreach (var item in value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : [value])
                faults.EnqueueScripted(Scripted(item));
        },
        ["RevokeTokenFromRequest"] = (faults, value) => faults.RevokeTokenFromRequest(value.GetInt32()),
        ["RevokeTokenFrom"] = (faults, value) => faults.RevokeTokenFrom(value.GetDateTimeOffset()),
        // A request number, or { "request": n, "reason": "Plan" | "Scope" }.
        ["ForbidAppFromRequest"] = (faults, value) => faults.ForbidAppFromRequest(
            value.ValueKind == JsonValueKind.Object ? Get(value, "request").GetInt32() : value.GetInt32(), Reason(value)),
        ["ForbidAppFrom"] = (faults, value) => faults.ForbidAppFrom(
            value.ValueKind == JsonValueKind.Object ? Get(value, "at").GetDateTimeOffset() : value.GetDateTimeOffset(), Reason(value)),
        // { "asked type id": "answered type id", … }
        ["AnswerTypeIdInstead"] = (faults, value) =>
        {
            foreach (var pair in value.EnumerateObject()) faults.AnswerTypeIdInstead(pair.Name, pair.Value.GetString()!);
        },
    };

    public static IEnumerable<string> Names => Properties.Values.Where(p => p.CanWrite && p.SetMethod!.IsPublic).Select(p => p.Name)
        .Concat(Actions.Keys).Order(StringComparer.Ordinal);

    /// <summary>Every knob's current value, by its FaultSettings name.</summary>
    public static JsonObject Read(FaultSettings faults)
    {
        var json = new JsonObject();
        foreach (var property in Properties.Values.OrderBy(p => p.Name, StringComparer.Ordinal))
            json[property.Name] = JsonSerializer.SerializeToNode(property.GetValue(faults), property.PropertyType);
        return json;
    }

    /// <summary>
    /// Sets the knobs a JSON object names ({ "LatencyMs": 200, "RateLimit": null, "Scripted": [ … ] }).
    /// Every name and value is checked before any knob changes; a setter's own range check can still
    /// refuse a value after the knobs before it were set (the answer says which).
    /// </summary>
    public static JsonObject Apply(FaultSettings faults, JsonElement knobs)
    {
        var changes = new List<(string Name, Action Apply)>();
        foreach (var knob in knobs.EnumerateObject())
        {
            var value = knob.Value;
            if (Actions.TryGetValue(knob.Name, out var action))
                changes.Add((knob.Name, () => action(faults, value)));
            else if (Properties.TryGetValue(knob.Name, out var property) && property.SetMethod is { IsPublic: true })
            {
                var converted = value.Deserialize(property.PropertyType, JsonIn);
                if (converted is null && Nullable.GetUnderlyingType(property.PropertyType) is null && property.PropertyType.IsValueType)
                    throw new ArgumentException($"{property.Name} cannot be null.");
                changes.Add((property.Name, () => property.SetValue(faults, converted)));
            }
            else if (Properties.ContainsKey(knob.Name))
                throw new ArgumentException($"{knob.Name} can be read, not set.");
            else
                throw new ArgumentException($"No knob is named '{knob.Name}'. Knobs: {string.Join(", ", Names)}.");
        }
        foreach (var (name, apply) in changes)
        {
            try { apply(); }
            catch (TargetInvocationException ex) when (ex.InnerException is ArgumentException inner)
            {
                throw new ArgumentException($"{name}: {inner.Message}", inner);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or KeyNotFoundException)
            {
                throw new ArgumentException($"{name}: {ex.Message}", ex);
            }
        }
        return Read(faults);
    }

    private static ScriptedResponse Scripted(JsonElement item)
    {
        var status = Get(item, "statusCode", "status").GetInt32();
        var body = TryGet(item, "body") is { } b
            ? b.ValueKind switch { JsonValueKind.String => b.GetString(), JsonValueKind.Null => null, _ => b.GetRawText() }
            : null;
        return new ScriptedResponse(status, body, TryGet(item, "contentType")?.GetString() ?? "application/json")
        {
            Method = TryGet(item, "method")?.GetString(),
            PathContains = TryGet(item, "pathContains")?.GetString(),
            Times = TryGet(item, "times")?.GetInt32() ?? 1,
            DelayMs = TryGet(item, "delayMs")?.GetInt32() ?? 0,
            DropConnection = TryGet(item, "dropConnection")?.GetBoolean() ?? false,
            CutOffAfterBytes = TryGet(item, "cutOffAfterBytes")?.GetInt32(),
            Headers = TryGet(item, "headers")?.EnumerateObject().ToDictionary(h => h.Name, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
        };
    }

    private static AppRefusal Reason(JsonElement value) =>
        value.ValueKind == JsonValueKind.Object && TryGet(value, "reason") is { } reason
            ? Enum.Parse<AppRefusal>(reason.GetString()!, ignoreCase: true)
            : AppRefusal.Plan;

    private static JsonElement Get(JsonElement item, params string[] names) =>
        names.Select(n => TryGet(item, n)).FirstOrDefault(e => e is not null)
            ?? throw new ArgumentException($"'{names[0]}' is missing.");

    private static JsonElement? TryGet(JsonElement item, string name)
    {
        if (item.ValueKind != JsonValueKind.Object) return null;
        foreach (var p in item.EnumerateObject())
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind != JsonValueKind.Null) return p.Value;
        return null;
    }
}
