namespace IntercomSubscriptions.Engine;

/// <summary>
/// A set of strings (the ids of the contacts a listing has given) kept as seeded 64-bit hashes in one
/// open-addressed table: 8 bytes a slot and at most three quarters full, so a million ids take 16 MB
/// (the table doubles from 8 MB to 16 MB at 786,432 ids, both held while it copies: 24 MB at the
/// peak), where a HashSet of the strings themselves takes about 100 MB. Two different strings share
/// a hash with odds of about n² / 2⁶⁵ (3 in 100 million for a million ids), and the later one is then
/// taken for a repeat; the seed is new for each set, so a server cannot choose ids that collide.
/// </summary>
internal sealed class HashedStringSet
{
    private const ulong Empty = 0;
    private readonly ulong _seed;
    private ulong[] _slots;

    public HashedStringSet(int initialCapacity = 1024)
    {
        var capacity = 16;
        while (capacity < initialCapacity) capacity *= 2;
        _slots = new ulong[capacity];
        _seed = NewSeed();
    }

    public int Count { get; private set; }

    /// <summary>The table's size in bytes (what the set costs, whatever the strings' lengths).</summary>
    public long Bytes => _slots.LongLength * sizeof(ulong);

    /// <summary>Adds <paramref name="value"/>; false when it (or a string of the same hash) was there already.</summary>
    public bool Add(string value)
    {
        if ((Count + 1) * 4L > _slots.LongLength * 3) Grow();
        return Insert(_slots, Hash(value, _seed));
    }

    public bool Contains(string value)
    {
        var hash = Hash(value, _seed);
        var mask = _slots.Length - 1;
        for (var i = (int)hash & mask; _slots[i] != Empty; i = (i + 1) & mask)
        {
            if (_slots[i] == hash) return true;
        }
        return false;
    }

    /// <summary>
    /// FNV-1a over the UTF-16 code units, started from the seed, then MurmurHash3's finaliser, so that
    /// ids differing in one character spread over the whole table. Never 0, which marks an empty slot.
    /// </summary>
    internal static ulong Hash(string value, ulong seed)
    {
        var hash = 14695981039346656037UL ^ seed;
        foreach (var c in value)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return hash == Empty ? 1 : hash;
    }

    internal static ulong NewSeed() => BitConverter.ToUInt64(Guid.NewGuid().ToByteArray(), 0);

    private bool Insert(ulong[] slots, ulong hash)
    {
        var mask = slots.Length - 1;
        var i = (int)hash & mask;
        while (slots[i] != Empty)
        {
            if (slots[i] == hash) return false;
            i = (i + 1) & mask;
        }
        slots[i] = hash;
        if (ReferenceEquals(slots, _slots)) Count++;
        return true;
    }

    private void Grow()
    {
        var larger = new ulong[_slots.Length * 2];
        foreach (var hash in _slots)
        {
            if (hash != Empty) Insert(larger, hash);
        }
        _slots = larger;
    }
}
