using System.Net.Http;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Where every answer's body is read: whole, within the connection's size cap, inside the attempt that
/// got it (so a body that breaks off or times out is that attempt's failure, and retried like one).
/// The bytes go through a <see cref="StreamingJsonFilter"/> as they arrive, which keeps only what
/// <see cref="IntercomJson"/> reads (<see cref="IntercomJson.AnswerShape"/>); what the answer holds is
/// counted against the connection's <see cref="AnswerMemoryGate"/> before it is taken. The result
/// replaces the response's content as a <see cref="BufferedAnswerContent"/>, which gives its bytes
/// back when the response is disposed.
/// </summary>
internal sealed class AnswerReader : IDisposable
{
    private readonly int _maxResponseBytes;

    public AnswerReader(int maxResponseBytes) => _maxResponseBytes = maxResponseBytes;

    /// <summary>Bounds the bytes of answers held at once across this connection's requests.</summary>
    public AnswerMemoryGate Memory { get; } = new();

    public void Dispose() => Memory.Dispose();

    public async Task ReadWholeAsync(HttpResponseMessage response, string? requestId, CancellationToken cancellationToken)
    {
        var content = response.Content;
        var declared = content?.Headers.ContentLength;
        if (declared > _maxResponseBytes)
            throw TooLarge((int)response.StatusCode, declared.Value, requestId);
        var lease = Memory.Begin();
        var filter = IntercomJson.NewFilter(declared, _maxResponseBytes);
        long read = 0;
        try
        {
            if (content is not null)
            {
                using var stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
                while (true)
                {
                    await lease.MayHoldAsync(filter.MostHeldAfterNextRead, cancellationToken).ConfigureAwait(false);
                    var space = filter.ReadSpace();
                    lease.Holds(filter.HeldBytes);
                    var count = await stream.ReadAsync(space.Array!, space.Offset, space.Count, cancellationToken).ConfigureAwait(false);
                    if (count == 0) break;
                    read += count;
                    if (read > _maxResponseBytes)
                        throw TooLarge((int)response.StatusCode, null, requestId);
                    filter.Advance(count);
                    lease.Holds(filter.HeldBytes);
                }
            }
            var answer = filter.Complete();
            lease.Holds(answer.HeldBytes);
            response.Content = new BufferedAnswerContent(answer, lease, content);
            content?.Dispose();
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            lease.Dispose();
            // The status line arrived, so the request reached Intercom: not "could not reach".
            throw new AnswerCutOffException((int)response.StatusCode, read, ex);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
        finally
        {
            filter.Dispose();
        }
    }

    private IntercomApiException TooLarge(int status, long? length, string? requestId) =>
        new(IntercomErrorKind.InvalidResponse,
            $"Intercom's answer is larger than {_maxResponseBytes / (1024 * 1024)} MiB" + (length is null ? "" : $" ({length} bytes)") + "; it was not read",
            status, null, requestId);
}
