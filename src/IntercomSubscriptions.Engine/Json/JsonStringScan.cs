using System.Globalization;
using System.Text.Json;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Follows the content of one JSON string (after its opening quote) as its bytes arrive, without
/// holding them: finds its closing quote, refuses what <see cref="Utf8JsonReader"/> refuses (a raw
/// control character, a bad escape), and notes where the content may be cut so that what is kept
/// is still a valid string: not inside an escape or a UTF-8 sequence, and not between the two
/// halves of an escaped surrogate pair. <see cref="StreamingJsonFilter"/> uses it for strings too
/// long to read whole.
/// </summary>
internal struct JsonStringScan
{
    private readonly int _limit;
    private int _hexDigitsLeft;
    private int _escapedCode;
    private bool _afterBackslash;
    private bool _afterHighSurrogate;

    /// <param name="limit">The most content bytes that may be kept.</param>
    public JsonStringScan(int limit) => _limit = limit;

    /// <summary>Content bytes scanned so far.</summary>
    public long Scanned { get; private set; }

    /// <summary>The content bytes to keep: the whole string if it ended within the limit, else the longest cut at a character's start within it.</summary>
    public int Cut { get; private set; }

    /// <summary>
    /// Scans the next bytes of the content; returns the index in <paramref name="bytes"/> of the closing
    /// quote, or -1 when the string goes on past them. Throws a JsonException for content that is not valid.
    /// </summary>
    public int Scan(ReadOnlySpan<byte> bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (_hexDigitsLeft > 0)
            {
                var digit = HexValue(b);
                if (digit < 0) throw Invalid($"'{Printable(b)}' is not a hex digit following '\\u' within a JSON string. The string should be correctly escaped.");
                _escapedCode = (_escapedCode * 16) + digit;
                if (--_hexDigitsLeft == 0) _afterHighSurrogate = _escapedCode is >= 0xD800 and <= 0xDBFF;
                continue;
            }
            if (_afterBackslash)
            {
                _afterBackslash = false;
                if (b == (byte)'u')
                {
                    _hexDigitsLeft = 4;
                    _escapedCode = 0;
                }
                else if (b is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t')
                {
                    _afterHighSurrogate = false;
                }
                else
                {
                    throw Invalid($"'{Printable(b)}' is an invalid escapable character within a JSON string. The string should be correctly escaped.");
                }
                continue;
            }
            var at = Scanned + i;
            var startsCharacter = (b & 0xC0) != 0x80;
            if (startsCharacter && !_afterHighSurrogate && at <= _limit) Cut = (int)at;
            if (b == (byte)'"')
            {
                if (at <= _limit) Cut = (int)at;
                Scanned = at;
                return i;
            }
            if (b == (byte)'\\')
                _afterBackslash = true;
            else if (b < 0x20)
                throw Invalid($"'{Printable(b)}' is invalid within a JSON string. The string should be correctly escaped.");
            else if (startsCharacter)
                _afterHighSurrogate = false;
        }
        Scanned += bytes.Length;
        return -1;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary>As Utf8JsonReader names a byte in its messages.</summary>
    private static string Printable(byte b) =>
        b is >= 0x20 and < 0x7F ? ((char)b).ToString() : "0x" + b.ToString("X2", CultureInfo.InvariantCulture);

    private static JsonException Invalid(string message) => new(message);
}
