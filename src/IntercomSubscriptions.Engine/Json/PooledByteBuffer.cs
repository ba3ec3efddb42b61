using System.Buffers;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Bytes written one after another into an array from the shared <see cref="ArrayPool{T}"/>, which
/// goes back to the pool when the buffer is disposed. Arrays up to <see cref="PooledBytes"/> are pooled
/// (and stay off the large object heap up to 64 KiB); a larger one is allocated at the size needed,
/// never rounded past <c>maxCapacity</c>.
/// </summary>
internal sealed class PooledByteBuffer : IBufferWriter<byte>, IDisposable
{
    /// <summary>The largest array taken from the pool; .NET Framework's pool allocates anything larger anyway.</summary>
    public const int PooledBytes = 1024 * 1024;
    private const int SmallestBytes = 256;

    private readonly int _maxCapacity;
    private byte[] _buffer = [];
    private int _length;

    /// <param name="maxCapacity">Growth stops rounding up here: a buffer never holds more than this unless asked for more at once.</param>
    public PooledByteBuffer(int maxCapacity) => _maxCapacity = maxCapacity;

    public int Length => _length;

    /// <summary>The bytes the buffer holds, written or not.</summary>
    public int Capacity => _buffer.Length;

    public ReadOnlyMemory<byte> Written => new(_buffer, 0, _length);

    /// <summary>The capacity the buffer grows to when it must hold <paramref name="bytes"/>: a pooled power of two, else doubling up to the most it may hold.</summary>
    public int CapacityFor(int bytes)
    {
        if (bytes <= _buffer.Length) return _buffer.Length;
        var pooled = SmallestBytes;
        while (pooled < bytes && pooled < PooledBytes) pooled *= 2;
        return pooled >= bytes ? pooled : Math.Max(bytes, Math.Min(Math.Max(_buffer.Length * 2, bytes), _maxCapacity));
    }

    public void Advance(int count)
    {
        if (count < 0 || _length + count > _buffer.Length) throw new ArgumentOutOfRangeException(nameof(count));
        _length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return new Memory<byte>(_buffer, _length, _buffer.Length - _length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return new Span<byte>(_buffer, _length, _buffer.Length - _length);
    }

    public void Dispose()
    {
        Return(_buffer);
        _buffer = [];
        _length = 0;
    }

    private void Reserve(int sizeHint)
    {
        var needed = _length + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length) return;
        var capacity = CapacityFor(needed);
        var grown = capacity <= PooledBytes ? ArrayPool<byte>.Shared.Rent(capacity) : new byte[capacity];
        Buffer.BlockCopy(_buffer, 0, grown, 0, _length);
        Return(_buffer);
        _buffer = grown;
    }

    private static void Return(byte[] buffer)
    {
        if (buffer.Length is > 0 and <= PooledBytes) ArrayPool<byte>.Shared.Return(buffer);
    }
}
