using System.Net.Http;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Where every answer's body is read: whole, within the connection's size cap and counted against its
/// <see cref="AnswerMemoryGate"/>, inside the attempt that got it (so a body that breaks off or times
/// out is that attempt's failure, and retried like one). The body replaces the response's content as
/// a <see cref="BufferedAnswerContent"/>, which gives its bytes back when the response is disposed.
/// </summary>
internal sealed class AnswerReader : IDisposable
{
    private const int ChunkBytes = 16 * 1024;
    private readonly int _maxResponseBytes;

    public AnswerReader(int maxResponseBytes) => _maxResponseBytes = maxResponseBytes;

    /// <summary>Bounds the bytes of answers buffered at once across this connection's requests.</summary>
    public AnswerMemoryGate Memory { get; } = new();

    public void Dispose() => Memory.Dispose();

    public async Task ReadWholeAsync(HttpResponseMessage response, string? requestId, CancellationToken cancellationToken)
    {
        var content = response.Content;
        var declared = content?.Headers.ContentLength;
        if (declared > _maxResponseBytes)
            throw TooLarge((int)response.StatusCode, declared.Value, requestId);
        var lease = Memory.Begin();
        var buffer = new MemoryStream(declared is { } length ? (int)Math.Min(length, AnswerMemoryGate.SmallAnswerBytes) : 0);
        try
        {
            if (content is not null)
            {
                using var stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
                var chunk = new byte[ChunkBytes];
                int read;
                while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > _maxResponseBytes)
                        throw TooLarge((int)response.StatusCode, null, requestId);
                    await lease.GrowAsync(buffer.Length, read, cancellationToken).ConfigureAwait(false);
                    buffer.Write(chunk, 0, read);
                }
            }
            response.Content = new BufferedAnswerContent(new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length), lease, content);
            content?.Dispose();
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            lease.Dispose();
            // The status line arrived, so the request reached Intercom: not "could not reach".
            throw new AnswerCutOffException((int)response.StatusCode, buffer.Length, ex);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    private IntercomApiException TooLarge(int status, long? length, string? requestId) =>
        new(IntercomErrorKind.InvalidResponse,
            $"Intercom's answer is larger than {_maxResponseBytes / (1024 * 1024)} MiB" + (length is null ? "" : $" ({length} bytes)") + "; it was not read",
            status, null, requestId);
}
