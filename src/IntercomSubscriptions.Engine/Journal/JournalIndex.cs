namespace IntercomSubscriptions.Engine;

/// <summary>
/// What a journal says about each (contact, subscription type) pair, for -Resume: the choice its
/// latest applied change left in effect (opt_in, opt_out or none), or that a change of it is in doubt
/// (sent, no outcome, or outcome in_doubt), so the contact must be read before anything is sent again.
/// A failed or unsent change leaves the pair as it was. A check line (a contact read by an earlier
/// resume) settles a pair in doubt.
/// </summary>
/// <remarks>
/// Bounded: a pair is kept as a seeded 64-bit hash of its contact and type ids with one byte of
/// state, in one open-addressed table at most three quarters full: 9 bytes a slot, 18 MB for a million
/// pairs (a little more while the table doubles). Intents still waiting for their outcome line while
/// the file is read are held (their pair, the choice before and the choice asked for); a run has at most its requests in flight (a few hundred) open at
/// once, and a killed run's open intents stay open to the end. Two pairs share a hash with odds of
/// about n² / 2⁶⁵ (3 in 100 million for a million pairs); the seed is new for each index.
/// </remarks>
internal sealed class JournalIndex
{
    // The byte kept per pair: an applied choice, or a change in doubt. 0 is an empty slot.
    private const byte AppliedNone = 1;
    private const byte AppliedOptIn = 2;
    private const byte AppliedOptOut = 3;
    private const byte InDoubtState = 4;

    private readonly ulong _seed = HashedStringSet.NewSeed();
    private ulong[] _keys = new ulong[1024];
    private byte[] _states = new byte[1024];
    private int _used;

    /// <summary>Pairs the journal names a change of, whatever became of it (applied, in doubt, failed or not applied).</summary>
    public int Pairs => _used;

    /// <summary>Pairs in doubt.</summary>
    public int InDoubt { get; private set; }

    /// <summary>Lines the journal held that were not events (see <see cref="JournalReader.BadLines"/>).</summary>
    public int BadLines { get; private set; }

    /// <summary>Bytes the index's table takes.</summary>
    public long Bytes => _keys.LongLength * sizeof(ulong) + _states.LongLength;

    /// <summary>The index of the journal at <paramref name="path"/>; an empty one when there is no such file yet.</summary>
    public static JournalIndex Load(string path)
    {
        if (!File.Exists(path)) return new JournalIndex();
        var reader = new JournalReader(path);
        var index = Build(reader.Events());
        index.BadLines = reader.BadLines;
        return index;
    }

    /// <summary>The index of <paramref name="events"/>, taken in the order they were written.</summary>
    public static JournalIndex Build(IEnumerable<JournalEvent> events)
    {
        var index = new JournalIndex();
        var open = new Dictionary<(string Run, long Seq), (ulong Pair, byte Before, string ChoiceAfter)>();
        foreach (var journalEvent in events)
        {
            switch (journalEvent)
            {
                case JournalIntent intent:
                    var pair = index.Hash(intent.ContactId, intent.SubscriptionId);
                    open[(intent.Run, intent.Seq)] = (pair, index.Get(pair), intent.ChoiceAfter);
                    index.Set(pair, InDoubtState);
                    break;
                case JournalOutcome outcome when open.TryGetValue((outcome.Run, outcome.Seq), out var change):
                    open.Remove((outcome.Run, outcome.Seq));
                    if (outcome.Outcome == JournalWords.Applied)
                        index.Set(change.Pair, Applied(change.ChoiceAfter));
                    else if (outcome.Outcome is JournalWords.Failed or JournalWords.NotApplied && index.Get(change.Pair) == InDoubtState)
                        index.Set(change.Pair, change.Before); // nothing changed: the pair is as it was before
                    break;
                case JournalCheck check:
                    var checkedPair = index.Hash(check.ContactId, check.SubscriptionId);
                    // Read in effect: that choice is applied. Read not in effect: all that is known is that the change did not stay; send it again.
                    index.Set(checkedPair, check.InEffect ? Applied(check.ChoiceAfter) : (byte)0);
                    break;
            }
        }
        index.InDoubt = index.CountInDoubt();
        return index;
    }

    /// <summary>What the journal says of the pair, for a change that would leave <paramref name="choiceAfter"/> in effect.</summary>
    public JournalVerdict Lookup(string contactId, string subscriptionId, string choiceAfter)
    {
        var state = Get(Hash(contactId, subscriptionId));
        if (state == InDoubtState) return JournalVerdict.InDoubt;
        return state != 0 && state == Applied(choiceAfter) ? JournalVerdict.AlreadyApplied : JournalVerdict.NotApplied;
    }

    private static byte Applied(string choice) => choice switch
    {
        JournalWords.OptIn => AppliedOptIn,
        JournalWords.OptOut => AppliedOptOut,
        _ => AppliedNone,
    };

    private ulong Hash(string contactId, string subscriptionId) => HashedStringSet.Hash(contactId + "\u001f" + subscriptionId, _seed);

    private byte Get(ulong key)
    {
        var mask = _keys.Length - 1;
        for (var i = (int)key & mask; _keys[i] != 0; i = (i + 1) & mask)
        {
            if (_keys[i] == key) return _states[i];
        }
        return 0;
    }

    /// <summary>Sets a pair's state; 0 forgets what it said (the slot stays, marked empty of state).</summary>
    private void Set(ulong key, byte state)
    {
        if ((_used + 1) * 4L > _keys.LongLength * 3) Grow();
        var mask = _keys.Length - 1;
        var i = (int)key & mask;
        while (_keys[i] != 0 && _keys[i] != key) i = (i + 1) & mask;
        if (_keys[i] == 0)
        {
            if (state == 0) return;
            _keys[i] = key;
            _used++;
        }
        _states[i] = state;
    }

    private void Grow()
    {
        var keys = _keys;
        var states = _states;
        _keys = new ulong[keys.Length * 2];
        _states = new byte[keys.Length * 2];
        var mask = _keys.Length - 1;
        for (var j = 0; j < keys.Length; j++)
        {
            if (keys[j] == 0) continue;
            var i = (int)keys[j] & mask;
            while (_keys[i] != 0) i = (i + 1) & mask;
            _keys[i] = keys[j];
            _states[i] = states[j];
        }
    }

    private int CountInDoubt()
    {
        var count = 0;
        foreach (var state in _states)
            if (state == InDoubtState) count++;
        return count;
    }
}

/// <summary>What a journal says of a change about to be sent under -Resume.</summary>
internal enum JournalVerdict
{
    /// <summary>Nothing that makes it unnecessary: send it.</summary>
    NotApplied,
    /// <summary>An applied change (or a check) left the choice asked for in effect: skip it.</summary>
    AlreadyApplied,
    /// <summary>A change of the pair may or may not have been applied: read the contact first.</summary>
    InDoubt,
}
