namespace FakeIntercom;

/// <summary>Thread-safe in-memory state of the fake workspace.</summary>
public sealed class FakeIntercomState
{
    private readonly object _gate = new();
    private readonly List<SubscriptionTypeRecord> _types = new();
    private readonly List<ContactRecord> _contacts = new();
    // Where each contact sits in _contacts: benchmarks add 100,000 of them.
    private readonly Dictionary<string, int> _contactIndex = new(StringComparer.Ordinal);
    // Positions by email (Intercom matches emails case-insensitively) and by external id, so a
    // search by either costs a lookup per value, not a scan of every contact.
    private readonly Dictionary<string, List<int>> _emailIndex = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<int>> _externalIdIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, string>> _choices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SubscriptionListShape> _listShapes = new(StringComparer.Ordinal);

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
            (contentTypes ?? ["email"]).ToArray(),
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
        lock (_gate) Put(record);
        return record;
    }

    /// <summary>Adds many contacts under one lock (thousands in milliseconds); same rules as <see cref="AddContact"/>.</summary>
    public void AddContacts(IEnumerable<ContactRecord> contacts)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        lock (_gate)
            foreach (var record in contacts)
                Put(record ?? throw new ArgumentException("A contact is null.", nameof(contacts)));
    }

    /// <summary>Sets a contact's email reachability flags (null = leave as is). Throws KeyNotFoundException for an unknown contact.</summary>
    public ContactRecord SetEmailStatus(string contactId, bool? unsubscribedFromEmails = null, bool? hasHardBounced = null, bool? markedEmailAsSpam = null)
    {
        lock (_gate)
        {
            if (!_contactIndex.TryGetValue(contactId, out var idx))
                throw new KeyNotFoundException($"Unknown contact '{contactId}'.");
            var old = _contacts[idx];
            var record = old with
            {
                UnsubscribedFromEmails = unsubscribedFromEmails ?? old.UnsubscribedFromEmails,
                HasHardBounced = hasHardBounced ?? old.HasHardBounced,
                MarkedEmailAsSpam = markedEmailAsSpam ?? old.MarkedEmailAsSpam,
            };
            _contacts[idx] = record;
            return record;
        }
    }

    /// <summary>
    /// How the contact object's opted_in/opted_out_subscription_types lists come out (GET /contacts,
    /// GET /contacts/{id}, search results). Throws KeyNotFoundException for an unknown contact.
    /// </summary>
    public void SetSubscriptionListShape(string contactId, SubscriptionListShape shape)
    {
        lock (_gate)
        {
            if (!_contactIndex.ContainsKey(contactId))
                throw new KeyNotFoundException($"Unknown contact '{contactId}'.");
            if (shape == SubscriptionListShape.Complete) _listShapes.Remove(contactId);
            else _listShapes[contactId] = shape;
        }
    }

    private void Put(ContactRecord record)
    {
        if (_contactIndex.TryGetValue(record.Id, out var idx))
        {
            var old = _contacts[idx];
            Unindex(_emailIndex, old.Email, idx);
            Unindex(_externalIdIndex, old.ExternalId, idx);
            _contacts[idx] = record;
        }
        else
        {
            idx = _contacts.Count;
            _contactIndex[record.Id] = idx;
            _contacts.Add(record);
        }
        Index(_emailIndex, record.Email, idx);
        Index(_externalIdIndex, record.ExternalId, idx);
        if (!_choices.ContainsKey(record.Id)) _choices[record.Id] = new Dictionary<string, string>(StringComparer.Ordinal);
    }

    private static void Index(Dictionary<string, List<int>> index, string? value, int position)
    {
        if (value is null) return;
        if (!index.TryGetValue(value, out var positions)) index[value] = positions = new List<int>(1);
        positions.Add(position);
    }

    private static void Unindex(Dictionary<string, List<int>> index, string? value, int position)
    {
        if (value is null || !index.TryGetValue(value, out var positions)) return;
        positions.Remove(position);
        if (positions.Count == 0) index.Remove(value);
    }

    public IReadOnlyList<SubscriptionTypeRecord> SubscriptionTypes
    {
        get { lock (_gate) return _types.ToArray(); }
    }

    /// <summary>Whether the workspace has a contact with this id.</summary>
    public bool HasContact(string contactId)
    {
        lock (_gate) return _choices.ContainsKey(contactId);
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

    /// <summary>Empties the workspace: no types, no contacts, no choices.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _types.Clear();
            _contacts.Clear();
            _contactIndex.Clear();
            _emailIndex.Clear();
            _externalIdIndex.Clear();
            _choices.Clear();
            _listShapes.Clear();
        }
    }

    /// <summary>Seeds the sample workspace described by <see cref="SampleData"/>.</summary>
    public void AddSampleData()
    {
        AddSubscriptionType(SampleData.Newsletters, "Newsletters", "opt_in", "live", ["email"], "Our monthly newsletter");
        AddSubscriptionType(SampleData.ProductUpdates, "Product updates", "opt_out", "live", ["email"],
            translations: new[] { new TranslationRecord("fr", "Mises à jour produit", null) });
        AddSubscriptionType(SampleData.SmsOffers, "SMS offers", "opt_in", "live", ["sms_message"]);
        AddSubscriptionType(SampleData.OldDigest, "Old digest", "opt_out", "archived", ["email"]);

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

    /// <summary>Every contact with at least one explicit choice, and its choices, in the order the contacts were added.</summary>
    internal IReadOnlyList<KeyValuePair<string, IReadOnlyDictionary<string, string>>> ContactsWithChoices()
    {
        lock (_gate)
        {
            var found = new List<KeyValuePair<string, IReadOnlyDictionary<string, string>>>();
            foreach (var contact in _contacts)
                if (_choices[contact.Id] is { Count: > 0 } choices)
                    found.Add(new(contact.Id, new Dictionary<string, string>(choices, StringComparer.Ordinal)));
            return found;
        }
    }

    /// <summary>A contact as the contact endpoints show it; null if unknown.</summary>
    internal ContactView? FindContact(string contactId)
    {
        lock (_gate)
            return _contactIndex.TryGetValue(contactId, out var idx) ? View(_contacts[idx]) : null;
    }

    /// <summary>Contacts <paramref name="offset"/> to offset + count - 1 in the order they were added, and how many there are.</summary>
    internal (IReadOnlyList<ContactView> Page, int Total) ContactPage(int offset, int count)
    {
        lock (_gate)
        {
            var page = new List<ContactView>(Math.Max(0, Math.Min(count, _contacts.Count - offset)));
            for (var i = offset; i < _contacts.Count && i < offset + count; i++) page.Add(View(_contacts[i]));
            return (page, _contacts.Count);
        }
    }

    /// <summary>
    /// Every contact that matches, in the order they were added. With <paramref name="keys"/>, only
    /// the contacts that have one of them are tried (every match must have one); null tries all.
    /// </summary>
    internal IReadOnlyList<ContactView> FindContacts(IReadOnlyCollection<ContactKey>? keys, Func<ContactRecord, bool> matches)
    {
        lock (_gate)
        {
            var found = new List<ContactView>();
            if (keys is null)
            {
                foreach (var contact in _contacts)
                    if (matches(contact)) found.Add(View(contact));
                return found;
            }
            foreach (var position in PositionsOf(keys))
                if (matches(_contacts[position])) found.Add(View(_contacts[position]));
            return found;
        }
    }

    /// <summary>Where the contacts with any of the keys sit, each once, in the order they were added.</summary>
    private SortedSet<int> PositionsOf(IReadOnlyCollection<ContactKey> keys)
    {
        var positions = new SortedSet<int>();
        foreach (var key in keys)
        {
            switch (key.Field)
            {
                case "id":
                    if (_contactIndex.TryGetValue(key.Value, out var position)) positions.Add(position);
                    break;
                case "email":
                    if (_emailIndex.TryGetValue(key.Value, out var byEmail)) positions.UnionWith(byEmail);
                    break;
                case "external_id":
                    if (_externalIdIndex.TryGetValue(key.Value, out var byExternalId)) positions.UnionWith(byExternalId);
                    break;
                default:
                    throw new ArgumentException($"The fake does not index '{key.Field}'.", nameof(keys));
            }
        }
        return positions;
    }

    private ContactView View(ContactRecord contact)
    {
        var choices = _choices[contact.Id];
        var ordered = new List<KeyValuePair<string, string>>(choices.Count);
        if (choices.Count > 0)
            foreach (var type in _types)
                if (choices.TryGetValue(type.Id, out var consent)) ordered.Add(new(type.Id, consent));
        return new ContactView(contact, ordered, _listShapes.GetValueOrDefault(contact.Id, SubscriptionListShape.Complete));
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
