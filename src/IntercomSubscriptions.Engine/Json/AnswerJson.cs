using System.Text.Json;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// What <see cref="StreamingJsonFilter"/> made of an answer's body: the JSON the module reads from it
/// (every other property dropped, over-long strings cut), or why the body is not JSON it can read, or
/// that it was blank. The kept bytes are a pooled buffer's: dispose this once read.
/// </summary>
internal sealed class AnswerJson : IDisposable
{
    private readonly PooledByteBuffer? _buffer;

    public AnswerJson(PooledByteBuffer? buffer, bool isBlank, JsonException? invalid)
    {
        _buffer = buffer;
        IsBlank = isBlank;
        Invalid = invalid;
    }

    /// <summary>A body that was empty or only white space.</summary>
    public static AnswerJson Blank { get; } = new(null, isBlank: true, invalid: null);

    /// <summary>The JSON kept; empty when the body was blank or not valid.</summary>
    public ReadOnlyMemory<byte> Json => _buffer?.Written ?? ReadOnlyMemory<byte>.Empty;

    /// <summary>The body was empty or only white space.</summary>
    public bool IsBlank { get; }

    /// <summary>Why the body is not JSON the module can read (what Utf8JsonReader said), or null.</summary>
    public JsonException? Invalid { get; }

    /// <summary>The bytes this holds (its buffer's capacity).</summary>
    public int HeldBytes => _buffer?.Capacity ?? 0;

    public void Dispose() => _buffer?.Dispose();
}
