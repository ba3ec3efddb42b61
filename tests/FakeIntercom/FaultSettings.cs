namespace FakeIntercom;

/// <summary>
/// Fault injection knobs. All members are thread-safe; changes take effect on the next request
/// (or the next processing stage of an in-flight request).
/// </summary>
public sealed class FaultSettings
{
    private readonly object _gate = new();
    private readonly List<ScriptedEntry> _scripted = new();
    private int _latencyMs;
    private int _answerDelayMs;
    private int? _rateLimit;
    private int _rateLimitWindowSeconds = 10;
    private int _otherClientRequestsPerWindow;
    private double _serverErrorRate;
    private double _dropConnectionRate;
    private double _slowResponseRate;
    private int _slowResponseMs = 30_000;
    private int? _randomSeed;
    private Random _random = new();
    private string? _retryAfter;
    private int _resetSkewSeconds;
    private string? _resetHeaderValue;
    private bool _omitRateLimitHeaders;
    private TokenRefusal? _tokenRefusal;
    private int _requestsSinceTokenRefusalSet;
    private readonly Dictionary<string, string> _answeredTypeIds = new(StringComparer.Ordinal);
    private long _padJsonAnswersToBytes;
    private int _dripChunkBytes;
    private int _dripIntervalMs;
    private int _searchFilterLimit = DocumentedSearchFilterLimit;
    private (int From, int To)? _contactPageLoop;
    private bool _contactPagesIgnoreCursor;
    private bool _contactPagesFreshCursors;
    private int? _contactListTotalCount;
    private long _cursorNonce;

    /// <summary>Intercom's documented limit: at most 15 filters in each AND/OR group (an IN counts one per value).</summary>
    public const int DocumentedSearchFilterLimit = 15;

    public int LatencyMs
    {
        get { lock (_gate) return _latencyMs; }
        set { lock (_gate) _latencyMs = Math.Max(0, value); }
    }

    /// <summary>
    /// The other half of a round trip: every answer waits this long after the request was handled (a
    /// change already made) before it is written. A client that stops or times out meanwhile never
    /// learns the change was made: the request log says dropped, the state says applied. 0 = none.
    /// </summary>
    public int AnswerDelayMs
    {
        get { lock (_gate) return _answerDelayMs; }
        set { lock (_gate) _answerDelayMs = Math.Max(0, value); }
    }

    /// <summary>Requests allowed per window; null = no limit and no X-RateLimit-* headers.</summary>
    public int? RateLimit
    {
        get { lock (_gate) return _rateLimit; }
        set
        {
            if (value is < 0) throw new ArgumentOutOfRangeException(nameof(value));
            lock (_gate) _rateLimit = value;
        }
    }

    public int RateLimitWindowSeconds
    {
        get { lock (_gate) return _rateLimitWindowSeconds; }
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            lock (_gate) _rateLimitWindowSeconds = value;
        }
    }

    /// <summary>
    /// Another client of the same app sending this many requests in every window, evenly through it
    /// (Intercom's limit is per app, so a second integration or script shares it); each is counted while
    /// the window has room and refused after. Its requests are not in the request log; they lower
    /// Remaining and bring the 429s sooner, and what it sent and had refused is counted in
    /// <see cref="FakeIntercomServer.OtherClient"/>. 0 = none.
    /// </summary>
    public int OtherClientRequestsPerWindow
    {
        get { lock (_gate) return _otherClientRequestsPerWindow; }
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            lock (_gate) _otherClientRequestsPerWindow = value;
        }
    }

    public double ServerErrorRate
    {
        get { lock (_gate) return _serverErrorRate; }
        set { lock (_gate) _serverErrorRate = Clamp01(value); }
    }

    public double DropConnectionRate
    {
        get { lock (_gate) return _dropConnectionRate; }
        set { lock (_gate) _dropConnectionRate = Clamp01(value); }
    }

    public double SlowResponseRate
    {
        get { lock (_gate) return _slowResponseRate; }
        set { lock (_gate) _slowResponseRate = Clamp01(value); }
    }

    public int SlowResponseMs
    {
        get { lock (_gate) return _slowResponseMs; }
        set { lock (_gate) _slowResponseMs = Math.Max(0, value); }
    }

    /// <summary>When set, the fault dice are reseeded and become deterministic.</summary>
    public int? RandomSeed
    {
        get { lock (_gate) return _randomSeed; }
        set
        {
            lock (_gate)
            {
                _randomSeed = value;
                _random = value is int seed ? new Random(seed) : new Random();
            }
        }
    }

    // ---- Rate-limit headers: what the rate-limit stage says, not how it counts ----

    /// <summary>
    /// Retry-After sent with each 429 of the rate-limit stage (<see cref="RateLimit"/>): seconds ("120")
    /// or an HTTP-date (<see cref="HttpDate"/>); null = none, as Intercom documents.
    /// </summary>
    public string? RetryAfter
    {
        get { lock (_gate) return _retryAfter; }
        set { lock (_gate) _retryAfter = value; }
    }

    /// <summary>Added to X-RateLimit-Reset: negative = a server clock behind (Reset in the past), large = far in the future.</summary>
    public int ResetSkewSeconds
    {
        get { lock (_gate) return _resetSkewSeconds; }
        set { lock (_gate) _resetSkewSeconds = value; }
    }

    /// <summary>Sent as X-RateLimit-Reset instead of the real time (e.g. "soon", "", "1e99"); null = the real (skewed) time.</summary>
    public string? ResetHeaderValue
    {
        get { lock (_gate) return _resetHeaderValue; }
        set { lock (_gate) _resetHeaderValue = value; }
    }

    /// <summary>No X-RateLimit-* headers on any answer (429s included) while the window still counts.</summary>
    public bool OmitRateLimitHeaders
    {
        get { lock (_gate) return _omitRateLimitHeaders; }
        set { lock (_gate) _omitRateLimitHeaders = value; }
    }

    /// <summary>An HTTP-date for <see cref="RetryAfter"/> ("Sun, 06 Nov 1994 08:49:37 GMT").</summary>
    public static string HttpDate(DateTimeOffset at) => at.ToUniversalTime().ToString("r", System.Globalization.CultureInfo.InvariantCulture);

    // ---- The token stops working ----

    /// <summary>The <paramref name="n"/>th request with the valid token from now on (1 = the next), and every one after, gets 401 unauthorized.</summary>
    public void RevokeTokenFromRequest(int n) => SetTokenRefusal(TokenRefusal.Revoked(fromRequest: n, from: null));

    /// <summary>From <paramref name="at"/> on, every request with the valid token gets 401 unauthorized.</summary>
    public void RevokeTokenFrom(DateTimeOffset at) => SetTokenRefusal(TokenRefusal.Revoked(fromRequest: null, from: at));

    /// <summary>Like <see cref="RevokeTokenFromRequest"/>, but a 403 about the app (its plan or the token's scopes), not about any one record.</summary>
    public void ForbidAppFromRequest(int n, AppRefusal reason = AppRefusal.Plan) =>
        SetTokenRefusal(TokenRefusal.Forbidden(reason, fromRequest: n, from: null));

    /// <summary>Like <see cref="RevokeTokenFrom"/>, but a 403 about the app (its plan or the token's scopes).</summary>
    public void ForbidAppFrom(DateTimeOffset at, AppRefusal reason = AppRefusal.Plan) =>
        SetTokenRefusal(TokenRefusal.Forbidden(reason, fromRequest: null, from: at));

    private void SetTokenRefusal(TokenRefusal refusal)
    {
        if (refusal.FromRequest is < 1) throw new ArgumentOutOfRangeException(nameof(refusal), "Requests are counted from 1.");
        lock (_gate)
        {
            _tokenRefusal = refusal;
            _requestsSinceTokenRefusalSet = 0;
        }
    }

    // ---- Wrong answers ----

    /// <summary>
    /// Attach and detach answers for <paramref name="askedTypeId"/> name <paramref name="answeredTypeId"/>
    /// instead (that type's object, or the asked one with its id changed if there is no such type).
    /// The change itself is still made to the type asked for.
    /// </summary>
    public void AnswerTypeIdInstead(string askedTypeId, string answeredTypeId)
    {
        ArgumentNullException.ThrowIfNull(askedTypeId);
        ArgumentNullException.ThrowIfNull(answeredTypeId);
        lock (_gate) _answeredTypeIds[askedTypeId] = answeredTypeId;
    }

    // ---- Bodies ----

    /// <summary>Successful JSON answers are padded (one extra string property, "padding") to at least this many bytes; 0 = off.</summary>
    public long PadJsonAnswersToBytes
    {
        get { lock (_gate) return _padJsonAnswersToBytes; }
        set { lock (_gate) _padJsonAnswersToBytes = Math.Max(0, value); }
    }

    /// <summary>JSON answers (errors included) are sent chunked, this many bytes at a time; 0 = all at once.</summary>
    public int DripChunkBytes
    {
        get { lock (_gate) return _dripChunkBytes; }
        set { lock (_gate) _dripChunkBytes = Math.Max(0, value); }
    }

    /// <summary>The pause between two dripped chunks.</summary>
    public int DripIntervalMs
    {
        get { lock (_gate) return _dripIntervalMs; }
        set { lock (_gate) _dripIntervalMs = Math.Max(0, value); }
    }

    // ---- Contact search ----

    /// <summary>
    /// Most filters an AND/OR group of a contact search may hold (an IN's values each count as one);
    /// more gets 400 parameter_invalid. Intercom documents 15; lower it to make the fake refuse batches.
    /// </summary>
    public int SearchFilterLimit
    {
        get { lock (_gate) return _searchFilterLimit; }
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            lock (_gate) _searchFilterLimit = value;
        }
    }

    // ---- Paging of contact lists (GET /contacts and POST /contacts/search) that never ends ----

    /// <summary>
    /// Page <paramref name="fromPage"/>'s <c>pages.next</c> names the cursor of page <paramref name="toPage"/>
    /// (pages counted from 1; <paramref name="toPage"/> from 2, as the first page has no cursor), even
    /// when <paramref name="fromPage"/> is the last: the listing goes round for ever. (3, 2) gives pages
    /// 1, 2, 3, 2, 3, … (cursors A → B → A → …); (2, 2) names page 2's own cursor again at once.
    /// </summary>
    public void LoopContactPages(int fromPage, int toPage)
    {
        if (toPage < 2 || fromPage < toPage) throw new ArgumentOutOfRangeException(nameof(toPage), "A loop goes back from a page to itself or an earlier one, from page 2 on.");
        lock (_gate) _contactPageLoop = (fromPage, toPage);
    }

    /// <summary>
    /// Every page of a contact list is the first, whatever <c>starting_after</c> says, and names page 2's
    /// cursor as its next (a server that ignores the cursor): the same contacts come back for ever.
    /// </summary>
    public bool ContactPagesIgnoreCursor
    {
        get { lock (_gate) return _contactPagesIgnoreCursor; }
        set { lock (_gate) _contactPagesIgnoreCursor = value; }
    }

    /// <summary>
    /// Each <c>pages.next</c> of a contact list is a cursor never given before (the same page, under a new
    /// name): with <see cref="ContactPagesIgnoreCursor"/> the same contacts come back under ever new
    /// cursors, so only the contacts tell that the listing goes round.
    /// </summary>
    public bool ContactPagesFreshCursors
    {
        get { lock (_gate) return _contactPagesFreshCursors; }
        set { lock (_gate) _contactPagesFreshCursors = value; }
    }

    /// <summary>The <c>total_count</c> (and <c>total_pages</c>) contact lists report instead of the real count; null = the real one.</summary>
    public int? ContactListTotalCount
    {
        get { lock (_gate) return _contactListTotalCount; }
        set
        {
            if (value is < 0) throw new ArgumentOutOfRangeException(nameof(value));
            lock (_gate) _contactListTotalCount = value;
        }
    }

    /// <summary>Queues a canned answer (FIFO among matching entries).</summary>
    public void EnqueueScripted(ScriptedResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Times <= 0) throw new ArgumentOutOfRangeException(nameof(response), "Times must be positive.");
        lock (_gate) _scripted.Add(new ScriptedEntry(response, response.Times));
    }

    /// <summary>Number of scripted answers still queued (sum of remaining Times).</summary>
    public int PendingScriptedCount
    {
        get { lock (_gate) return _scripted.Sum(e => e.Remaining); }
    }

    /// <summary>Back to no faults and a working token; clears the scripted queue.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _latencyMs = 0;
            _answerDelayMs = 0;
            _rateLimit = null;
            _rateLimitWindowSeconds = 10;
            _otherClientRequestsPerWindow = 0;
            _serverErrorRate = 0;
            _dropConnectionRate = 0;
            _slowResponseRate = 0;
            _slowResponseMs = 30_000;
            _randomSeed = null;
            _random = new Random();
            _scripted.Clear();
            _retryAfter = null;
            _resetSkewSeconds = 0;
            _resetHeaderValue = null;
            _omitRateLimitHeaders = false;
            _tokenRefusal = null;
            _requestsSinceTokenRefusalSet = 0;
            _answeredTypeIds.Clear();
            _padJsonAnswersToBytes = 0;
            _dripChunkBytes = 0;
            _dripIntervalMs = 0;
            _searchFilterLimit = DocumentedSearchFilterLimit;
            _contactPageLoop = null;
            _contactPagesIgnoreCursor = false;
            _contactPagesFreshCursors = false;
            _contactListTotalCount = null;
        }
    }

    /// <summary>The rate limit in force, or null when there is none.</summary>
    internal RateLimitSetting? GetRateLimit()
    {
        lock (_gate) return _rateLimit is int limit ? new RateLimitSetting(limit, _rateLimitWindowSeconds, _otherClientRequestsPerWindow) : null;
    }

    internal ScriptedResponse? TryDequeueScripted(string method, string rawPath)
    {
        lock (_gate)
        {
            for (var i = 0; i < _scripted.Count; i++)
            {
                var entry = _scripted[i];
                var r = entry.Response;
                if (r.Method is not null && !string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase)) continue;
                if (r.PathContains is not null && !rawPath.Contains(r.PathContains, StringComparison.Ordinal)) continue;
                entry.Remaining--;
                if (entry.Remaining <= 0) _scripted.RemoveAt(i);
                return r;
            }
            return null;
        }
    }

    internal RateLimitHeaderFaults GetRateLimitHeaderFaults()
    {
        lock (_gate) return new RateLimitHeaderFaults(_retryAfter, _resetSkewSeconds, _resetHeaderValue, _omitRateLimitHeaders);
    }

    /// <summary>Counts one request with the valid token; the refusal it meets, if any.</summary>
    internal TokenRefusal? CountTokenUse(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_tokenRefusal is not { } refusal) return null;
            _requestsSinceTokenRefusalSet++;
            var byCount = refusal.FromRequest is int n && _requestsSinceTokenRefusalSet >= n;
            var byTime = refusal.From is { } at && now >= at;
            return byCount || byTime ? refusal : null;
        }
    }

    internal string? AnsweredTypeIdFor(string askedTypeId)
    {
        lock (_gate) return _answeredTypeIds.GetValueOrDefault(askedTypeId);
    }

    internal ContactPagingFaults GetContactPagingFaults()
    {
        lock (_gate) return new ContactPagingFaults(_contactPageLoop, _contactPagesIgnoreCursor, _contactPagesFreshCursors, _contactListTotalCount);
    }

    /// <summary>A number no cursor has carried before (<see cref="ContactPagesFreshCursors"/>).</summary>
    internal long NextCursorNonce() => Interlocked.Increment(ref _cursorNonce);

    internal Json.BodyShape GetBodyShape()
    {
        lock (_gate) return new Json.BodyShape(_padJsonAnswersToBytes, _dripChunkBytes, _dripIntervalMs);
    }

    /// <summary>Rolls all dice at once (always consuming the same amount of randomness).</summary>
    internal FaultRoll Roll()
    {
        lock (_gate)
        {
            var drop = _random.NextDouble() < _dropConnectionRate;
            var slow = _random.NextDouble() < _slowResponseRate;
            var error = _random.NextDouble() < _serverErrorRate;
            var which = _random.Next(3);
            return new FaultRoll(drop, slow ? _slowResponseMs : 0, error ? which switch { 0 => 500, 1 => 502, _ => 503 } : 0);
        }
    }

    private static double Clamp01(double v) => double.IsNaN(v) ? 0 : Math.Clamp(v, 0, 1);

    private sealed class ScriptedEntry(ScriptedResponse response, int remaining)
    {
        public ScriptedResponse Response { get; } = response;
        public int Remaining { get; set; } = remaining;
    }
}

internal readonly record struct FaultRoll(bool Drop, int SlowMs, int ServerError);

/// <summary>Requests per window, the window's length, and what another client of the app spends of each window.</summary>
internal readonly record struct RateLimitSetting(int Limit, int WindowSeconds, int OtherClientPerWindow);

/// <summary>How contact lists page wrongly: a loop back (from page, to page), the cursor ignored, fresh cursor names, a false total_count.</summary>
internal readonly record struct ContactPagingFaults((int From, int To)? Loop, bool IgnoreCursor, bool FreshCursors, int? TotalCount);

internal readonly record struct RateLimitHeaderFaults(string? RetryAfter, int ResetSkewSeconds, string? ResetHeaderValue, bool Omit);
