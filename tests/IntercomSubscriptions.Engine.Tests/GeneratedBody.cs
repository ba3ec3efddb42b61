namespace IntercomSubscriptions.Engine.Tests;

/// <summary>A body of <paramref name="length"/> bytes that fails with an IOException after <paramref name="failAfter"/> bytes, if given; its length is not declared.</summary>
/// <remarks>
/// A <paramref name="prefix"/> comes first, then spaces (so a JSON prefix stays valid JSON). With
/// <paramref name="together"/>, the first read waits (at most 2 s) until every body sharing it has
/// been asked for a first read, so that concurrent answers really are read at the same time.
/// </remarks>
internal sealed class GeneratedBody : Stream
{
    private readonly long _length;
    private readonly long? _failAfter;
    private readonly byte[] _prefix;
    private readonly CountdownEvent? _together;

    public GeneratedBody(long length, long? failAfter = null, string prefix = "", CountdownEvent? together = null)
    {
        _length = length;
        _failAfter = failAfter;
        _prefix = System.Text.Encoding.UTF8.GetBytes(prefix);
        _together = together;
    }

    public long Served { get; private set; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (Served == 0 && _together is not null)
        {
            _together.Signal();
            _together.Wait(TimeSpan.FromSeconds(2));
        }
        if (_failAfter is { } limit && Served >= limit)
            throw new IOException("The response ended prematurely.");
        var n = (int)Math.Min(count, _length - Served);
        if (_failAfter is { } cut) n = (int)Math.Min(n, cut - Served);
        for (var i = 0; i < n; i++)
            buffer[offset + i] = Served + i < _prefix.Length ? _prefix[Served + i] : (byte)' ';
        Served += n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Served; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
