using System.Diagnostics;
using System.Net.Http;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// One attempt of a call: a place under the adaptive concurrency limit, nothing sent once Intercom
/// refused the token, the rate-limit pacer's lease, then the request on the wire under its own
/// timeout (counted from when the pacer lets it go, so waiting for the rate limit is not time on the
/// wire) and its answer read to its end (<see cref="AnswerReader"/>, streaming it through the JSON
/// filter) before the attempt ends. The pacer and
/// the concurrency limit learn from the answer's status line and headers, even when its body then fails.
/// </summary>
internal sealed class AttemptHandler : DelegatingHandler
{
    private readonly IntercomClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrencyGate _onTheWire;
    private readonly AdaptiveConcurrencyLimit _concurrencyLimit;
    private readonly RateLimitPacer _pacer;
    private readonly TokenRefusal _tokenRefusal;
    private readonly AnswerReader _answers;
    private readonly ServerTextCleaner _text;

    public AttemptHandler(IntercomClientOptions options, TimeProvider time, AdaptiveConcurrencyLimit concurrencyLimit, RateLimitPacer pacer,
        TokenRefusal tokenRefusal, AnswerReader answers, ServerTextCleaner text)
    {
        _options = options;
        _time = time;
        _concurrencyLimit = concurrencyLimit;
        _onTheWire = new ConcurrencyGate(concurrencyLimit);
        _pacer = pacer;
        _tokenRefusal = tokenRefusal;
        _answers = answers;
        _text = text;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var call = IntercomCall.Of(request);
        // Each attempt takes its place at the gate: a request backing off before a retry holds none.
        using var place = await _onTheWire.EnterAsync(cancellationToken).ConfigureAwait(false);
        _tokenRefusal.ThrowIfRefused();
        var stopwatch = new Stopwatch();
        (int Status, RateLimitHeaders Headers)? answered = null;
        try
        {
            using var lease = await _pacer.AcquireAsync(call.Events, cancellationToken).ConfigureAwait(false);
            stopwatch.Start();
            // The caller's write-ahead step, between the pacer's leave and the wire: a request held back
            // by the pacer, or stopped there, has nothing to undo.
            await call.BeforeSendAsync(cancellationToken).ConfigureAwait(false);
            // The timeout starts now: the pacer's wait above may be long, and the request was not on the wire.
            using var timeout = _time.CreateCancellationTokenSource(_options.Timeout);
            var wireToken = call.OnTheWire(cancellationToken);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(wireToken, timeout.Token);
            HttpResponseMessage? response = null;
            try
            {
                response = await base.SendAsync(request, linked.Token).ConfigureAwait(false);
                // What the attempt got back, first: whatever happens to the answer after, it was answered.
                var requestId = _text.RequestId(response.Headers);
                call.Delivery.Answered((int)response.StatusCode, requestId);
                answered = ((int)response.StatusCode, RateLimitHeaders.Read(response.Headers, _time.GetUtcNow()));
                lease.Answered(answered.Value.Status, answered.Value.Headers);
                await _answers.ReadWholeAsync(response, requestId, linked.Token).ConfigureAwait(false);
                call.Events?.Debug($"{call.Request.Operation} -> {answered.Value.Status} in {stopwatch.ElapsedMilliseconds} ms" + (requestId is null ? "" : $" (request_id {requestId})"));
                return response;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !wireToken.IsCancellationRequested)
            {
                response?.Dispose();
                call.Log.TimedOut++;
                throw new AttemptTimedOutException(_options.Timeout);
            }
            catch
            {
                response?.Dispose();
                throw;
            }
        }
        finally
        {
            // After the lease went back, so that the window length the pacer may just have learnt counts.
            if (answered is { } answer)
            {
                _concurrencyLimit.OnAnswer(stopwatch.Elapsed, answer.Status, answer.Headers.Limit, _pacer.WindowLength);
                _onTheWire.LimitChanged();
            }
        }
    }
}
