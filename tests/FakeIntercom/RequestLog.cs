namespace FakeIntercom;

/// <summary>
/// What the server saw: every request in arrival order (when recording), how many were in flight
/// at once, how many arrived while the rate-limit window was spent, and calls per endpoint.
/// </summary>
internal sealed class RequestLog(bool recordRequests)
{
    private readonly object _gate = new();
    private List<Slot> _slots = new();
    private readonly Dictionary<string, int> _callsByEndpoint = new(StringComparer.Ordinal);
    private int _inFlight;
    private int _maxConcurrent;
    private int _requestsWhileExhausted;

    /// <summary>Opens the entry of a request that has just arrived; <paramref name="endpoint"/> names its route.</summary>
    public Slot Open(Slot slot, string endpoint)
    {
        lock (_gate)
        {
            if (recordRequests) _slots.Add(slot);
            _callsByEndpoint[endpoint] = _callsByEndpoint.GetValueOrDefault(endpoint) + 1;
            _inFlight++;
            if (_inFlight > _maxConcurrent) _maxConcurrent = _inFlight;
        }
        return slot;
    }

    /// <summary>Closes a request's entry with its status (0 and dropped when the connection was aborted). First completion wins.</summary>
    public void Complete(Slot slot, int statusCode, bool dropped)
    {
        lock (_gate)
        {
            if (slot.Entry is not null) return;
            slot.Entry = new RecordedRequest(
                slot.ReceivedAt, DateTimeOffset.UtcNow, slot.Method, slot.RawPath, slot.Query, slot.IntercomVersion,
                slot.Authorization, string.IsNullOrEmpty(slot.Body) ? null : slot.Body,
                dropped ? 0 : statusCode, dropped, slot.WhileExhausted)
            {
                CountedInWindowEndingAt = slot.CountedInWindowEndingAt,
            };
            _inFlight--;
        }
    }

    public void MarkWhileExhausted(Slot slot)
    {
        lock (_gate)
        {
            slot.WhileExhausted = true;
            _requestsWhileExhausted++;
        }
    }

    public IReadOnlyList<RecordedRequest> Completed()
    {
        lock (_gate)
        {
            var list = new List<RecordedRequest>(_slots.Count);
            foreach (var slot in _slots)
                if (slot.Entry is { } e) list.Add(e);
            return list;
        }
    }

    public int MaxConcurrent
    {
        get { lock (_gate) return _maxConcurrent; }
    }

    public int RequestsWhileExhausted
    {
        get { lock (_gate) return _requestsWhileExhausted; }
    }

    public int CallCount(string endpoint)
    {
        lock (_gate) return _callsByEndpoint.GetValueOrDefault(endpoint);
    }

    public IReadOnlyDictionary<string, int> CallCounts()
    {
        lock (_gate) return new Dictionary<string, int>(_callsByEndpoint, StringComparer.Ordinal);
    }

    public void Reset()
    {
        lock (_gate)
        {
            _slots = new List<Slot>();
            _callsByEndpoint.Clear();
            _maxConcurrent = 0;
            _requestsWhileExhausted = 0;
        }
    }

    /// <summary>One request while it is handled; <see cref="Entry"/> is set once, when it completes.</summary>
    internal sealed class Slot
    {
        public DateTimeOffset ReceivedAt { get; init; }
        public string Method { get; init; } = "";
        public string RawPath { get; init; } = "";
        public string Query { get; init; } = "";
        public string? IntercomVersion { get; init; }
        public string? Authorization { get; init; }
        public string? Body { get; set; }
        public bool WhileExhausted { get; set; }
        public long? CountedInWindowEndingAt { get; set; }
        public RecordedRequest? Entry { get; set; } // guarded by the log's gate
    }
}
