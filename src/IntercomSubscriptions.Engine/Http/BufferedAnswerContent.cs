using System.Net;
using System.Net.Http;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// An answer's body as <see cref="AnswerReader"/> read it (the JSON the module reads from it, see
/// <see cref="AnswerJson"/>), with the original content's headers. Disposing it (or the response that
/// holds it) gives its pooled bytes back and its share of the connection's answer memory.
/// </summary>
internal sealed class BufferedAnswerContent : HttpContent
{
    private readonly IDisposable _memory;

    public BufferedAnswerContent(AnswerJson answer, IDisposable memory, HttpContent? original)
    {
        Answer = answer;
        _memory = memory;
        if (original is null) return;
        foreach (var header in original.Headers)
            Headers.TryAddWithoutValidation(header.Key, header.Value);
    }

    public AnswerJson Answer { get; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(Answer.Json.ToArray(), 0, Answer.Json.Length);

    protected override bool TryComputeLength(out long length)
    {
        length = Answer.Json.Length;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Answer.Dispose();
            _memory.Dispose();
        }
        base.Dispose(disposing);
    }
}
