using System.Globalization;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Follows the pages of a contact list (GET /contacts, a contact search) so that the listing always
/// ends: each contact is handed on once, however often the server lists it, and <c>pages.next</c> is
/// followed only while the server makes progress. It is not followed (and <see cref="Problem"/> says
/// what the server did) when a page brings no contact not listed already, when it names the cursor of
/// a page read already (cursors that go round, A → B → A, not only A → A), or when the listing has
/// outgrown what its <c>total_count</c> allows: more different contacts than the total plus room for
/// contacts added meanwhile (a tenth of it, at least 1,000), or more pages than that many contacts
/// take at the first page's size, plus two. So a server that loops is stopped within a cycle, and
/// one that lists for ever within about (total × 1.1 + 1,000) / page size pages. Memory: the ids
/// listed, 8 bytes each in a <see cref="HashedStringSet"/> (16 MB for a million), and one 8-byte
/// hash per page for the cursors.
/// </summary>
internal sealed class ContactPaging
{
    /// <summary>Room for contacts added while a long listing runs, at least: a few minutes of sign-ups in a busy workspace.</summary>
    internal const long GrowthFloor = 1_000;

    /// <summary>
    /// The most contacts read when the server gives no total_count (Intercom always does): the largest
    /// workspaces hold a few million. The ids then take at most 64 MB.
    /// </summary>
    internal const long MaxContactsWithoutTotal = 5_000_000;

    private readonly string _listing;
    private readonly HashedStringSet _listed = new();
    private readonly Dictionary<ulong, int> _pageOfCursor = new();
    private readonly ulong _cursorSeed = HashedStringSet.NewSeed();
    private long? _total;
    private long? _maxPages;

    /// <param name="listing">What is listed, for the messages: "the contact list", "a contact search".</param>
    public ContactPaging(string listing) => _listing = listing;

    /// <summary>Pages read so far.</summary>
    public int Pages { get; private set; }

    /// <summary>Different contacts handed on so far.</summary>
    public long Listed => _listed.Count;

    /// <summary>Contacts the server listed again and that were left out.</summary>
    public long Repeated { get; private set; }

    /// <summary>The cursor of the page to read next; null when the listing is over (at its end, or at a <see cref="Problem"/>).</summary>
    public string? Next { get; private set; }

    /// <summary>Why a next page the server named is not read, in terms of what the server did; null when the listing ended as it should.</summary>
    public string? Problem { get; private set; }

    /// <summary>
    /// Takes one page: returns its contacts not listed before, in order, and sets <see cref="Next"/>
    /// (or <see cref="Problem"/>). <paramref name="total"/> is the page's total_count, if it has one.
    /// </summary>
    public List<T> Take<T>(IReadOnlyList<T> contacts, Func<T, string> idOf, string? next, long? total)
    {
        if (Next is null && Pages > 0) throw new InvalidOperationException("The listing is over: no page was asked for.");
        Pages++;
        _total ??= total;
        var fresh = new List<T>(contacts.Count);
        foreach (var contact in contacts)
        {
            if (_listed.Add(idOf(contact))) fresh.Add(contact);
            else Repeated++;
        }
        Next = null;
        if (string.IsNullOrEmpty(next)) return fresh;
        _maxPages ??= contacts.Count == 0 ? null : (Allowance + contacts.Count - 1) / contacts.Count + 2;
        Problem = ProblemWith(next!, contacts.Count, fresh.Count);
        if (Problem is null)
        {
            Next = next;
            _pageOfCursor[HashedStringSet.Hash(next!, _cursorSeed)] = Pages + 1;
        }
        return fresh;
    }

    /// <summary>The error that ends the listing at a <see cref="Problem"/>.</summary>
    public IntercomApiException Failure() =>
        new(IntercomErrorKind.InvalidResponse, Problem ?? throw new InvalidOperationException("The listing has no problem."));

    private long Allowance => _total is { } total ? total + Growth(total) : MaxContactsWithoutTotal;

    private static long Growth(long total) => Math.Max(GrowthFloor, total / 10);

    private string? ProblemWith(string next, int count, int fresh)
    {
        var after = $"; the listing was ended there, after {N(Listed)} different contacts";
        if (count == 0)
            return $"Intercom answered page {Pages} of {_listing} with no contacts, yet named a next page{after}";
        if (fresh == 0)
            return $"Intercom answered page {Pages} of {_listing} with {N(count)} contacts, all listed already, and named yet another page: its paging goes round{after}";
        if (_pageOfCursor.TryGetValue(HashedStringSet.Hash(next, _cursorSeed), out var page) && page == Pages)
            return $"Intercom's page {Pages} of {_listing} named its own cursor as the next page{after}";
        if (page > 0)
            return $"Intercom's page {Pages} of {_listing} named as the next page the cursor of page {page}, which was read already: its cursors go round (page {page} → … → page {Pages} → page {page}){after}";
        var limit = _total is { } total
            ? $"its total_count of {N(total)} (with room for {N(Growth(total))} contacts added meanwhile)"
            : $"the {N(MaxContactsWithoutTotal)} read without a total_count";
        if (Listed > Allowance)
            return $"Intercom has listed {N(Listed)} different contacts in {_listing}, more than {limit}; the listing was ended there";
        if (Pages >= _maxPages)
            return $"Intercom has sent {Pages} pages of {_listing}, more than {limit} takes at {N(count)} a page{after}";
        return null;
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
