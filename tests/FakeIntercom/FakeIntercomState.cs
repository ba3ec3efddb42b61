namespace FakeIntercom;

/// <summary>Thread-safe in-memory state of the fake workspace.</summary>
public sealed class FakeIntercomState
{
    private readonly object _gate = new();
    private readonly List<SubscriptionTypeRecord> _types = new();
    private readonly List<ContactRecord> _contacts = new();
    // Where each contact sits in _contacts: benchmarks add 100,000 of them.
    private readonly Dictionary<string, int> _contactIndex = new(StringComparer.Ordinal);
    // Which contacts have an email: the runbook memory bench searches 200,000 of them by email.
    private readonly Dictionary<string, List<int>> _emailIndex = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Dictionary<string, string>> _choices = new(StringComparer.Ordinal);

    /// <summary>Adds a subscription type; an existing type with the same id is replaced in place.</summary>
    public SubscriptionTypeRecord AddSubscriptionType(
        string id,
        string name,
        string consentType = "opt_in",
        string state = "live",
        IReadOnlyList<string>? contentTypes = null,
        string? description = null,
        string locale = "en",
        IReadOnlyList<TranslationRecord>? translations = null)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(name);
        var record = new SubscriptionTypeRecord(
            id, name, consentType, state,
            (contentTypes ?? new[] { "email" }).ToArray(),
            description, locale,
            (translations ?? Array.Empty<TranslationRecord>()).ToArray());
        lock (_gate)
        {
            var idx = _types.FindIndex(t => t.Id == id);
            if (idx >= 0) _types[idx] = record;
            else _types.Add(record);
        }
        return record;
    }

    /// <summary>Adds a contact; an existing contact with the same id is replaced in place (its choices are kept).</summary>
    public ContactRecord AddContact(string id, string? email = null, string? externalId = null, string role = "user")
    {
        ArgumentNullException.ThrowIfNull(id);
        var record = new ContactRecord(id, email, externalId, role);
        lock (_gate)
        {
            if (_contactIndex.TryGetValue(id, out var idx))
            {
                if (_contacts[idx].Email is { } oldEmail) _emailIndex[oldEmail].Remove(idx);
                _contacts[idx] = record;
            }
            else
            {
                idx = _contacts.Count;
                _contactIndex[id] = idx;
                _contacts.Add(record);
            }
            if (email is not null)
            {
                if (!_emailIndex.TryGetValue(email, out var withEmail)) _emailIndex[email] = withEmail = new List<int>();
                withEmail.Add(idx);
            }
            if (!_choices.ContainsKey(id)) _choices[id] = new Dictionary<string, string>(StringComparer.Ordinal);
        }
        return record;
    }

    public IReadOnlyList<SubscriptionTypeRecord> SubscriptionTypes
    {
        get { lock (_gate) return _types.ToArray(); }
    }

    public IReadOnlyList<ContactRecord> Contacts
    {
        get { lock (_gate) return _contacts.ToArray(); }
    }

    /// <summary>The contacts with this email (case-insensitive), in the order they were added.</summary>
    public IReadOnlyList<ContactRecord> ContactsWithEmail(string email)
    {
        lock (_gate)
            return _emailIndex.TryGetValue(email, out var found) ? found.Order().Select(i => _contacts[i]).ToArray() : Array.Empty<ContactRecord>();
    }

    /// <summary>Explicit choices of a contact (type id → consent type). Throws KeyNotFoundException for an unknown contact.</summary>
    public IReadOnlyDictionary<string, string> GetChoices(string contactId)
    {
        lock (_gate)
        {
            if (!_choices.TryGetValue(contactId, out var c))
                throw new KeyNotFoundException($"Unknown contact '{contactId}'.");
            return new Dictionary<string, string>(c, StringComparer.Ordinal);
        }
    }

    /// <summary>Records an explicit choice. Throws KeyNotFoundException for an unknown contact or subscription type.</summary>
    public void SetChoice(string contactId, string subscriptionTypeId, string consentType)
    {
        ArgumentNullException.ThrowIfNull(consentType);
        lock (_gate)
        {
            if (!_choices.TryGetValue(contactId, out var c))
                throw new KeyNotFoundException($"Unknown contact '{contactId}'.");
            if (!_types.Exists(t => t.Id == subscriptionTypeId))
                throw new KeyNotFoundException($"Unknown subscription type '{subscriptionTypeId}'.");
            c[subscriptionTypeId] = consentType;
        }
    }

    /// <summary>Seeds the sample workspace described by <see cref="SampleData"/>.</summary>
    public void AddSampleData()
    {
        AddSubscriptionType(SampleData.Newsletters, "Newsletters", "opt_in", "live", new[] { "email" }, "Our monthly newsletter");
        AddSubscriptionType(SampleData.ProductUpdates, "Product updates", "opt_out", "live", new[] { "email" },
            translations: new[] { new TranslationRecord("fr", "Mises à jour produit", null) });
        AddSubscriptionType(SampleData.SmsOffers, "SMS offers", "opt_in", "live", new[] { "sms_message" });
        AddSubscriptionType(SampleData.OldDigest, "Old digest", "opt_out", "archived", new[] { "email" });

        AddContact(SampleData.Ada, SampleData.AdaEmail, SampleData.AdaExternalId);
        AddContact(SampleData.Grace, SampleData.GraceEmail, SampleData.GraceExternalId);
        AddContact(SampleData.SharedEmailUser, SampleData.SharedEmail, null, "user");
        AddContact(SampleData.SharedEmailLead, SampleData.SharedEmail, null, "lead");

        SetChoice(SampleData.Ada, SampleData.ProductUpdates, "opt_out");
    }

    // What the HTTP handlers use: each a check and a change under one lock.

    /// <summary>Types with an explicit choice for the contact, in type order; null if the contact is unknown.</summary>
    internal List<SubscriptionTypeRecord>? TypesWithChoices(string contactId)
    {
        lock (_gate)
        {
            if (!_choices.TryGetValue(contactId, out var c)) return null;
            return _types.Where(t => c.ContainsKey(t.Id)).ToList();
        }
    }

    internal enum ChoiceResult { Ok, UnknownContact, UnknownType }

    internal ChoiceResult TrySetChoice(string contactId, string typeId, string consentType, out SubscriptionTypeRecord? type)
    {
        lock (_gate)
        {
            type = null;
            if (!_choices.TryGetValue(contactId, out var c)) return ChoiceResult.UnknownContact;
            type = _types.Find(t => t.Id == typeId);
            if (type is null) return ChoiceResult.UnknownType;
            c[typeId] = consentType;
            return ChoiceResult.Ok;
        }
    }

    internal ChoiceResult TryRemoveChoice(string contactId, string typeId, out SubscriptionTypeRecord? type)
    {
        lock (_gate)
        {
            type = null;
            if (!_choices.TryGetValue(contactId, out var c)) return ChoiceResult.UnknownContact;
            type = _types.Find(t => t.Id == typeId);
            if (type is null) return ChoiceResult.UnknownType;
            c.Remove(typeId);
            return ChoiceResult.Ok;
        }
    }
}
