using System.Buffers;
using System.Text.Json;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Reads a JSON body as its bytes arrive and keeps only what a <see cref="JsonShape"/> names, as
/// compact JSON in a pooled buffer (<see cref="AnswerJson"/>), so that what an answer costs is the
/// part the module reads, not the answer's size. Bytes arrive in a window of at most
/// <see cref="MaxWindowBytes"/>, read token by token with <see cref="Utf8JsonReader"/> (which checks
/// the whole body is valid JSON, as JsonDocument would); a property the shape does not name is skipped
/// token by token, and a string longer than the window (the only token that can be) is followed to its
/// end by <see cref="JsonStringScan"/> without being held: only its first
/// <c>longestStringKept</c> bytes are kept (none inside what is skipped). A number longer than the
/// window is refused (<see cref="JsonTokenTooLongException"/>).
/// </summary>
/// <remarks>
/// What it holds at a time: the window, and the kept JSON, which is never longer than the bytes read
/// so far (plus <see cref="WriterSlackBytes"/>). <see cref="MostHeldAfterNextRead"/> says, before a
/// read, the most both may hold once the bytes it brings are processed, so a caller can wait for room
/// before the memory is taken rather than count it after.
/// </remarks>
internal sealed class StreamingJsonFilter : IDisposable
{
    /// <summary>The most bytes read ahead of the reader; a power of two under the large object heap's 85,000 bytes.</summary>
    public const int MaxWindowBytes = 64 * 1024;

    /// <summary>What processing a window may write beyond its length: an empty container begun, and Utf8JsonWriter asking 4 KiB ahead.</summary>
    public const int WriterSlackBytes = 4096 + 64;

    private const int MinWindowBytes = 256;
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    private readonly JsonShape _root;
    private readonly int _longestStringKept;
    private readonly PooledByteBuffer _kept;
    private readonly Utf8JsonWriter _writer;
    // The kept containers the reader is in, innermost last, with the shape of each.
    private readonly List<JsonShape> _containers = [];
    private byte[] _window;
    private int _filled;
    // What the reader left unread last time (the start of a token it could not finish yet).
    private int _unfinished;
    private JsonReaderState _state;
    private bool _sawToken;
    private JsonException? _invalid;
    // At or above 0: inside a value that is not kept, until the end token at this depth.
    private int _skipDepth = -1;
    // After a kept property's name: the shape of its value; after a name the shape does not know: skip its value.
    private JsonShape? _valueShape;
    private bool _skipValue;
    // Inside a string too long for the window: its kept start ends the window at _longStringKeptEnd.
    private bool _inLongString;
    private JsonStringScan _longString;
    private int _longStringKeptEnd;
    private bool _handedOver;

    /// <param name="root">What to keep.</param>
    /// <param name="longestStringKept">The most bytes of a kept string's content that are kept; the rest is dropped.</param>
    /// <param name="maxDepth">Deeper nesting is invalid JSON, as for JsonDocument.</param>
    /// <param name="declaredLength">The body's Content-Length, if known: a small body gets a small window.</param>
    /// <param name="maxKeptBytes">The kept buffer never grows past this unless a single write needs more.</param>
    public StreamingJsonFilter(JsonShape root, int longestStringKept, int maxDepth, long? declaredLength, int maxKeptBytes)
    {
        if (longestStringKept > MaxWindowBytes - 16) throw new ArgumentOutOfRangeException(nameof(longestStringKept));
        _root = root;
        _longestStringKept = longestStringKept;
        _state = new JsonReaderState(new JsonReaderOptions { MaxDepth = maxDepth });
        _kept = new PooledByteBuffer(maxKeptBytes);
        _writer = new Utf8JsonWriter(_kept, WriterOptions);
        var window = MinWindowBytes;
        while (window < MaxWindowBytes && window < (declaredLength ?? 4096)) window *= 2;
        _window = ArrayPool<byte>.Shared.Rent(window);
    }

    /// <summary>The bytes held now: the window and the kept JSON's buffer.</summary>
    public long HeldBytes => _window.Length + _kept.Capacity;

    /// <summary>The most <see cref="HeldBytes"/> can be once the next read's bytes are processed.</summary>
    public long MostHeldAfterNextRead
    {
        get
        {
            var window = NextWindowLength();
            return window + _kept.CapacityFor(_kept.Length + window + WriterSlackBytes);
        }
    }

    /// <summary>Where the next bytes go: the window's free end (grown first if a token fills it).</summary>
    public ArraySegment<byte> ReadSpace()
    {
        var length = NextWindowLength();
        if (length != _window.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(length);
            Buffer.BlockCopy(_window, 0, grown, 0, _filled);
            ArrayPool<byte>.Shared.Return(_window);
            _window = grown;
        }
        return new ArraySegment<byte>(_window, _filled, _window.Length - _filled);
    }

    /// <summary>Takes <paramref name="count"/> bytes just read into <see cref="ReadSpace"/>.</summary>
    public void Advance(int count)
    {
        _filled += count;
        if (_invalid is not null)
        {
            // The body is not JSON: the rest is read (for the size cap and a cut-off) but not kept.
            _filled = 0;
            return;
        }
        Process(isFinalBlock: false);
    }

    /// <summary>The body ended: checks it ended as JSON must and hands over what was kept.</summary>
    public AnswerJson Complete()
    {
        if (_invalid is null) Process(isFinalBlock: true);
        _writer.Flush();
        _handedOver = true;
        ReturnWindow();
        if (_invalid is null && _sawToken) return new AnswerJson(_kept, isBlank: false, invalid: null);
        _kept.Dispose();
        return _invalid is null ? AnswerJson.Blank : new AnswerJson(null, isBlank: false, _invalid);
    }

    public void Dispose()
    {
        _writer.Dispose();
        ReturnWindow();
        if (!_handedOver) _kept.Dispose();
    }

    private int NextWindowLength() =>
        _filled == _window.Length && _window.Length < MaxWindowBytes ? _window.Length * 2 : _window.Length;

    private void ReturnWindow()
    {
        if (_window.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_window);
        _window = [];
        _filled = 0;
    }

    private void Process(bool isFinalBlock)
    {
        try
        {
            if (_inLongString && !ContinueLongString(isFinalBlock)) return;
            // Only white space so far: blank, which the caller tells apart from JSON that is not valid.
            if (isFinalBlock && !_sawToken && _filled == 0) return;
            // A token the reader could not finish is read again from its start: only once its bytes have
            // doubled (or fill the window), so a long token dripping in a few bytes at a time is not read
            // again for each few bytes.
            if (!isFinalBlock && _filled < 2 * _unfinished && _filled < _window.Length) return;
            Read(isFinalBlock);
            if (!isFinalBlock && _filled == MaxWindowBytes) Compact();
        }
        catch (JsonException ex)
        {
            _invalid = ex;
            _inLongString = false;
            _filled = 0;
        }
    }

    private void Read(bool isFinalBlock)
    {
        var reader = new Utf8JsonReader(new ReadOnlySpan<byte>(_window, 0, _filled), isFinalBlock, _state);
        while (reader.Read())
        {
            _sawToken = true;
            Take(ref reader);
        }
        _state = reader.CurrentState;
        var consumed = (int)reader.BytesConsumed;
        Buffer.BlockCopy(_window, consumed, _window, 0, _filled - consumed);
        _filled -= consumed;
        _unfinished = _filled;
        _writer.Flush();
    }

    /// <summary>One token: written if the shape keeps it, else skipped (with everything inside it).</summary>
    private void Take(ref Utf8JsonReader reader)
    {
        var token = reader.TokenType;
        if (_skipDepth >= 0)
        {
            if (token is JsonTokenType.EndObject or JsonTokenType.EndArray && reader.CurrentDepth == _skipDepth) _skipDepth = -1;
            return;
        }
        if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
        {
            _containers.RemoveAt(_containers.Count - 1);
            if (token == JsonTokenType.EndObject) _writer.WriteEndObject();
            else _writer.WriteEndArray();
            return;
        }
        JsonShape shape;
        if (_containers.Count == 0)
        {
            shape = _root;
        }
        else if (_containers[_containers.Count - 1] is { Kind: JsonValueKind.Object } container)
        {
            if (token == JsonTokenType.PropertyName)
            {
                if (container.PropertyNamed(ref reader) is { } property)
                {
                    _writer.WritePropertyName(property.Name);
                    _valueShape = property.Shape;
                }
                else
                {
                    _skipValue = true;
                }
                return;
            }
            if (_skipValue)
            {
                _skipValue = false;
                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray) _skipDepth = reader.CurrentDepth;
                return;
            }
            shape = _valueShape!;
            _valueShape = null;
        }
        else
        {
            shape = _containers[_containers.Count - 1].Items!;
        }
        Write(ref reader, token, shape);
    }

    private void Write(ref Utf8JsonReader reader, JsonTokenType token, JsonShape shape)
    {
        switch (token)
        {
            case JsonTokenType.StartObject:
            case JsonTokenType.StartArray:
                var isObject = token == JsonTokenType.StartObject;
                if (isObject) _writer.WriteStartObject();
                else _writer.WriteStartArray();
                if (shape.Kind == (isObject ? JsonValueKind.Object : JsonValueKind.Array))
                {
                    _containers.Add(shape);
                    break;
                }
                // Not the kind the shape expects: kept empty, so a reader still sees what kind came.
                if (isObject) _writer.WriteEndObject();
                else _writer.WriteEndArray();
                _skipDepth = reader.CurrentDepth;
                break;
            case JsonTokenType.String:
                // As it came, escapes and all: the quotes around the value are in the window too.
                _writer.WriteRawValue(new ReadOnlySpan<byte>(_window, (int)reader.TokenStartIndex, reader.ValueSpan.Length + 2), skipInputValidation: true);
                break;
            case JsonTokenType.Number:
                _writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                break;
            case JsonTokenType.True:
            case JsonTokenType.False:
                _writer.WriteBooleanValue(token == JsonTokenType.True);
                break;
            default:
                _writer.WriteNullValue();
                break;
        }
    }

    /// <summary>
    /// The window is full and the reader cannot finish its token. What is left can only be a comma,
    /// white space, and a string or a number (a name waiting for its colon behind white space, too):
    /// the white space is dropped and a string is cut to what is kept of it, followed to its end as
    /// more bytes come if it does not end in the window.
    /// </summary>
    private void Compact()
    {
        _unfinished = 0;
        var from = 0;
        var to = 0;
        if (_window[0] == (byte)',') from = to = 1;
        while (from < _filled && IsWhiteSpace(_window[from])) from++;
        if (from == _filled)
        {
            _filled = to;
            return;
        }
        if (_window[from] != (byte)'"')
            throw new JsonTokenTooLongException($"A number of more than {MaxWindowBytes / 1024} KiB, which is not read.");

        var scan = new JsonStringScan(_skipDepth >= 0 || _skipValue ? 0 : _longestStringKept);
        var content = from + 1;
        var end = scan.Scan(new ReadOnlySpan<byte>(_window, content, _filled - content));
        if (end < 0 && scan.Scanned <= _longestStringKept)
        {
            // White space went; the string may still be kept whole once it ends.
            Buffer.BlockCopy(_window, from, _window, to, _filled - from);
            _filled = to + (_filled - from);
            return;
        }
        Buffer.BlockCopy(_window, from, _window, to, 1 + scan.Cut);
        to += 1 + scan.Cut;
        if (end < 0)
        {
            _inLongString = true;
            _longString = scan;
            _longStringKeptEnd = to;
            _filled = to;
            return;
        }
        _window[to++] = (byte)'"';
        var rest = content + end + 1;
        while (rest < _filled && IsWhiteSpace(_window[rest])) rest++;
        Buffer.BlockCopy(_window, rest, _window, to, _filled - rest);
        _filled = to + (_filled - rest);
        if (_filled == MaxWindowBytes) throw new JsonTokenTooLongException($"A JSON token of more than {MaxWindowBytes / 1024} KiB, which is not read.");
    }

    /// <summary>Scans the bytes that came inside a long string; true once it ended (or the body did), with the reader's part of the window ready.</summary>
    private bool ContinueLongString(bool isFinalBlock)
    {
        var end = _longString.Scan(new ReadOnlySpan<byte>(_window, _longStringKeptEnd, _filled - _longStringKeptEnd));
        if (end < 0)
        {
            _filled = _longStringKeptEnd;
            // At the end of the body the reader, given the string's start, says how it broke off.
            _inLongString = !isFinalBlock;
            return isFinalBlock;
        }
        var rest = _longStringKeptEnd + end + 1;
        _window[_longStringKeptEnd] = (byte)'"';
        Buffer.BlockCopy(_window, rest, _window, _longStringKeptEnd + 1, _filled - rest);
        _filled = _longStringKeptEnd + 1 + (_filled - rest);
        _inLongString = false;
        _unfinished = 0;
        return true;
    }

    private static bool IsWhiteSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
