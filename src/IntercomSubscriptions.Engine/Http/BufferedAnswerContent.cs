using System.Net;
using System.Net.Http;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// An answer's body as <see cref="AnswerReader"/> read it, with the original content's headers.
/// Disposing it (or the response that holds it) gives its bytes back to the connection's answer memory.
/// </summary>
internal sealed class BufferedAnswerContent : HttpContent
{
    private readonly IDisposable _memory;

    public BufferedAnswerContent(ReadOnlyMemory<byte> body, IDisposable memory, HttpContent? original)
    {
        Body = body;
        _memory = memory;
        if (original is null) return;
        foreach (var header in original.Headers)
            Headers.TryAddWithoutValidation(header.Key, header.Value);
    }

    public ReadOnlyMemory<byte> Body { get; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(Body.ToArray(), 0, Body.Length);

    protected override bool TryComputeLength(out long length)
    {
        length = Body.Length;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _memory.Dispose();
        base.Dispose(disposing);
    }
}
