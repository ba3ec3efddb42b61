using System.Text.Json;

namespace FakeIntercom.Handlers;

/// <summary>
/// The <c>query</c> of POST /contacts/search, parsed and checked the way Intercom documents it:
/// a single filter (<c>field</c>, <c>operator</c>, <c>value</c>) or an AND/OR group of filters,
/// groups nested at most two deep, at most <see cref="FaultSettings.SearchFilterLimit"/> filters per
/// group (each value of an IN/NIN counts as one: IN is "a shortcut for OR queries").
/// Fields: email (matched case-insensitively), external_id, id, role; operators =, !=, IN, NIN.
/// </summary>
internal abstract record ContactSearchQuery
{
    private const int MaxGroupDepth = 2;

    public abstract bool Matches(ContactRecord contact);

    /// <summary>
    /// Keys every match has at least one of, so the search can look them up instead of scanning
    /// every contact (a benchmark's workspace holds a million); null when a match need have none
    /// (a negation, a role, an OR with such a branch). Matches still decides.
    /// </summary>
    public abstract IReadOnlyCollection<ContactKey>? Keys { get; }

    /// <summary>The parsed query, or null with <paramref name="error"/> saying what Intercom would refuse.</summary>
    public static ContactSearchQuery? Parse(JsonElement query, int filterLimit, out string error)
    {
        var parsed = Parse(query, depth: 0, filterLimit, out error);
        if (parsed is Filter single && single.Weight > filterLimit)
        {
            error = TooMany(filterLimit);
            return null;
        }
        return parsed;
    }

    private static ContactSearchQuery? Parse(JsonElement query, int depth, int filterLimit, out string error)
    {
        error = "";
        if (query.ValueKind != JsonValueKind.Object)
        {
            error = "query is missing or invalid";
            return null;
        }
        var op = query.TryGetProperty("operator", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
        return op is "AND" or "OR"
            ? ParseGroup(query, op, depth + 1, filterLimit, out error)
            : ParseFilter(query, op, out error);
    }

    private static Group? ParseGroup(JsonElement query, string op, int depth, int filterLimit, out string error)
    {
        error = "";
        if (depth > MaxGroupDepth)
        {
            error = $"There's a limit of max {MaxGroupDepth} nested filters";
            return null;
        }
        if (!query.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            error = $"query.value of an {op} group must be a non-empty array of filters";
            return null;
        }
        var children = new List<ContactSearchQuery>();
        var weight = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (Parse(item, depth, filterLimit, out error) is not { } child) return null;
            children.Add(child);
            weight += child is Filter f ? f.Weight : 1;
        }
        if (weight > filterLimit)
        {
            error = TooMany(filterLimit);
            return null;
        }
        return new Group(op == "AND", children);
    }

    private static Filter? ParseFilter(JsonElement query, string? op, out string error)
    {
        error = "";
        var field = query.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        if (field is not ("email" or "external_id" or "id" or "role"))
        {
            error = "query.field must be one of email, external_id, id, role (the fields this fake searches)";
            return null;
        }
        if (op is not ("=" or "!=" or "IN" or "NIN"))
        {
            error = "query.operator must be one of =, !=, IN, NIN, AND, OR";
            return null;
        }
        query.TryGetProperty("value", out var value);
        string[] values;
        if (op is "IN" or "NIN")
        {
            if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
            {
                error = $"query.value must be an array of strings for {op}";
                return null;
            }
            values = value.EnumerateArray().Select(v => v.GetString()!).ToArray();
        }
        else
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                error = "query.value must be a string";
                return null;
            }
            values = [value.GetString()!];
        }
        return new Filter(field, Negated: op is "!=" or "NIN", values);
    }

    private static string TooMany(int limit) => $"There's a limit of max {limit} filters for each AND or OR group";

    private sealed record Group(bool All, IReadOnlyList<ContactSearchQuery> Children) : ContactSearchQuery
    {
        public override bool Matches(ContactRecord contact) =>
            All ? Children.All(c => c.Matches(contact)) : Children.Any(c => c.Matches(contact));

        // AND: a match has the keys of every narrowed child, so the fewest will do. OR: a match
        // has the keys of one child, so all children must narrow and their keys add up.
        public override IReadOnlyCollection<ContactKey>? Keys => All ? FewestKeys() : AllKeys();

        private IReadOnlyCollection<ContactKey>? FewestKeys() =>
            Children.Select(c => c.Keys).Where(k => k is not null).MinBy(k => k!.Count);

        private HashSet<ContactKey>? AllKeys()
        {
            var union = new HashSet<ContactKey>();
            foreach (var child in Children)
            {
                if (child.Keys is not { } keys) return null;
                union.UnionWith(keys);
            }
            return union;
        }
    }

    private sealed record Filter(string Field, bool Negated, IReadOnlyList<string> Values) : ContactSearchQuery
    {
        /// <summary>How many filters it counts as in its group.</summary>
        public int Weight => Values.Count;

        public override IReadOnlyCollection<ContactKey>? Keys =>
            !Negated && ContactKey.IsIndexed(Field) ? Values.Select(v => new ContactKey(Field, v)).ToArray() : null;

        public override bool Matches(ContactRecord contact)
        {
            var (actual, comparison) = Field switch
            {
                "email" => (contact.Email, StringComparison.OrdinalIgnoreCase),
                "external_id" => (contact.ExternalId, StringComparison.Ordinal),
                "id" => (contact.Id, StringComparison.Ordinal),
                _ => (contact.Role, StringComparison.Ordinal),
            };
            var any = actual is not null && Values.Any(v => string.Equals(v, actual, comparison));
            return Negated ? !any : any;
        }
    }
}
