using System.Diagnostics;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using Polly;
using Polly.Retry;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Sends one <see cref="IntercomRequest"/>: paced by the rate-limit headers, retried when the failure
/// is transient, each attempt under a timeout that starts when the pacer lets it go (waiting for the
/// rate limit is not time on the wire), the answer read whole under a size cap. Returns a success;
/// anything else is thrown as an <see cref="IntercomApiException"/>.
/// </summary>
internal sealed class IntercomTransport : IDisposable
{
    // Back-off after a transient failure: 1x, 2x, 4x… the base delay, with jitter, at most this.
    private static readonly TimeSpan LongestBackOff = TimeSpan.FromSeconds(30);
    // A 429 that says "Retry-After: 0" gives the pacer nothing to wait for; retried for minutes, that
    // would be a storm of doomed requests. This many in a row end the call.
    private const int MaxImmediateRateLimited = 10;
    private static readonly ResiliencePropertyKey<IIntercomEventSink?> EventSinkKey = new("IntercomSubscriptions.Events");
    private static readonly ResiliencePropertyKey<IntercomRequest?> RequestKey = new("IntercomSubscriptions.Request");
    private static readonly ResiliencePropertyKey<AttemptLog?> LogKey = new("IntercomSubscriptions.Attempts");

    private readonly IntercomClientOptions _options;
    private readonly AccessToken _token;
    private readonly ServerTextCleaner _text;
    private readonly IntercomErrorClassifier _errors;
    private readonly IntercomHttpRegistration _http;
    private readonly ResiliencePipeline<ApiResponse> _pipeline;
    private readonly TimeProvider _time;
    private readonly ConcurrencyGate _onTheWire;
    // Set once Intercom refuses the token (401, or a 403 about the app or plan): from then on nothing is sent.
    private IntercomApiException? _tokenRefused;

    public IntercomTransport(IntercomClientOptions options, AccessToken token, ServerTextCleaner text, IntercomErrorClassifier errors,
        Func<HttpMessageHandler>? primaryHandler, TimeProvider time)
    {
        _options = options;
        _token = token;
        _text = text;
        _errors = errors;
        _time = time;
        Pacer = new RateLimitPacer(time, options.MaxRateLimitWait);
        ConcurrencyLimit = new AdaptiveConcurrencyLimit(time);
        _onTheWire = new ConcurrencyGate(ConcurrencyLimit);
        _http = new IntercomHttpRegistration(options, primaryHandler);
        _pipeline = BuildPipeline();
    }

    public RateLimitPacer Pacer { get; }

    /// <summary>How many requests may be on the wire at once: found from latency and the rate limit (see its remarks).</summary>
    public AdaptiveConcurrencyLimit ConcurrencyLimit { get; }

    /// <summary>Bounds the bytes of answers buffered at once across this connection's requests.</summary>
    public AnswerMemoryGate Answers { get; } = new();

    public async Task<ApiResponse> SendAsync(IntercomRequest request, IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        var log = new AttemptLog(_time.GetUtcNow());
        context.Properties.Set(EventSinkKey, events);
        context.Properties.Set(RequestKey, request);
        context.Properties.Set(LogKey, log);
        ApiResponse response;
        try
        {
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.transport.AttemptAsync(state.request, state.events, state.log, ctx.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception ex)
                    {
                        return Outcome.FromException<ApiResponse>(ex);
                    }
                },
                context, (transport: this, request, events, log)).ConfigureAwait(false);
            if (outcome.Exception is not null)
                throw _errors.FromFailure(outcome.Exception, request, log, cancellationToken);
            response = outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (!response.IsSuccess)
        {
            using var failed = response;
            var error = _errors.FromResponse(response, request, log);
            if (IntercomErrorClassifier.RefusesTheToken(error))
                Interlocked.CompareExchange(ref _tokenRefused, error, null);
            throw error;
        }
        return response;
    }

    private async Task<ApiResponse> AttemptAsync(IntercomRequest request, IIntercomEventSink? events, AttemptLog log, CancellationToken cancellationToken)
    {
        // Each attempt takes its place at the gate: a request backing off before a retry holds none.
        await _onTheWire.EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await PacedAttemptAsync(request, events, log, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _onTheWire.Release();
        }
    }

    private async Task<ApiResponse> PacedAttemptAsync(IntercomRequest request, IIntercomEventSink? events, AttemptLog log, CancellationToken cancellationToken)
    {
        // Checked before every attempt, retries included: a refused token will not be accepted on the next try.
        if (Volatile.Read(ref _tokenRefused) is { } refused)
            throw IntercomErrorClassifier.NotSentAfter(refused);
        var ticket = await Pacer.AcquireAsync(events, cancellationToken).ConfigureAwait(false);
        log.Sent++;
        // The timeout starts now: the pacer's wait above may be long, and the request was not on the wire.
        using var timeout = _time.CreateCancellationTokenSource(_options.Timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await ExchangeAsync(request, ticket, events, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            log.TimedOut++;
            throw new AttemptTimedOutException(_options.Timeout);
        }
    }

    private async Task<ApiResponse> ExchangeAsync(IntercomRequest request, PacerTicket ticket, IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        HttpResponseHeaders? headers = null;
        int? status = null;
        var stopwatch = Stopwatch.StartNew();
        try
        {
            using var message = new HttpRequestMessage(request.Method, request.Path);
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token.Reveal());
            // SocketsHttpHandler (and .NET Framework's HttpWebRequest) re-send a request, once, on a new
            // connection when the pooled connection it went out on turns out to be closed before any byte
            // of the answer arrived, whatever the method (DELETE included). No setting turns that off; a
            // connection that is never reused does. So with MaxRetries 0, nothing is pooled: each request
            // goes on a fresh connection (a handshake each) and is sent exactly once.
            if (_options.MaxRetries <= 0)
                message.Headers.ConnectionClose = true;
            if (request.JsonBody is not null)
                message.Content = new StringContent(request.JsonBody, Encoding.UTF8, "application/json");
            using var response = await _http.Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            headers = response.Headers;
            status = (int)response.StatusCode;
            var requestId = response.Headers.TryGetValues("X-Request-Id", out var ids) ? _text.Clean(ids.FirstOrDefault(), 100) : null;
            var (body, lease) = await ReadBodyAsync(response, requestId, cancellationToken).ConfigureAwait(false);
            events?.Debug($"{request.Operation} -> {status} in {stopwatch.ElapsedMilliseconds} ms" + (requestId is null ? "" : $" (request_id {requestId})"));
            var location = status is >= 300 and <= 399 ? response.Headers.Location : null;
            return new ApiResponse(status.Value, _text.Clean(response.ReasonPhrase, 100), _text.Clean(response.Content.Headers.ContentType?.MediaType, 100), body, requestId, lease)
            {
                RetryAfterZero = response.Headers.RetryAfter?.Delta == TimeSpan.Zero,
                Location = location is null ? null : _text.Clean(location.IsAbsoluteUri ? location.GetLeftPart(UriPartial.Path) : location.OriginalString.Split('?')[0], 200),
            };
        }
        finally
        {
            Pacer.Release(ticket, headers, status);
            if (status is { } answered)
            {
                ConcurrencyLimit.OnAnswer(stopwatch.Elapsed, answered, headers is null ? null : RateLimitPacer.ReadLong(headers, "X-RateLimit-Limit"), Pacer.WindowLength);
                _onTheWire.LimitChanged();
            }
        }
    }

    /// <summary>The body, counted against the connection's answer memory; the caller owns the returned lease.</summary>
    private async Task<(ReadOnlyMemory<byte> Body, IDisposable Lease)> ReadBodyAsync(HttpResponseMessage response, string? requestId, CancellationToken cancellationToken)
    {
        var declared = response.Content.Headers.ContentLength;
        if (declared > _options.MaxResponseBytes)
            throw TooLarge((int)response.StatusCode, declared.Value, requestId);
        var lease = Answers.Begin();
        var buffer = new MemoryStream(declared is { } length ? (int)Math.Min(length, AnswerMemoryGate.SmallAnswerBytes) : 0);
        try
        {
            using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > _options.MaxResponseBytes)
                    throw TooLarge((int)response.StatusCode, null, requestId);
                await lease.GrowAsync(buffer.Length, read, cancellationToken).ConfigureAwait(false);
                buffer.Write(chunk, 0, read);
            }
            return (new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length), lease);
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
            $"Intercom's answer is larger than {_options.MaxResponseBytes / (1024 * 1024)} MiB" + (length is null ? "" : $" ({length} bytes)") + "; it was not read",
            status, null, requestId);

    private ResiliencePipeline<ApiResponse> BuildPipeline()
    {
        var maxRetries = Math.Max(0, _options.MaxRetries);
        return new ResiliencePipelineBuilder<ApiResponse> { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions<ApiResponse>
            {
                // The real limits are in ShouldRetry: MaxRetries for failures, MaxRateLimitWait for 429s.
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Outcome, args.Context, maxRetries)),
                // A 429's wait is the pacer's: it now knows the window is spent and holds every request until Reset.
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.StatusCode == 429
                    ? TimeSpan.Zero
                    : BackOff(args.Context.Properties.GetValue(LogKey, null)?.TransientFailures ?? 1)),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose(); // its bytes go back to the budget before the next attempt
                    if (args.Outcome.Result?.StatusCode == 429)
                        return default; // the pacer announces the wait
                    var events = args.Context.Properties.GetValue(EventSinkKey, null);
                    var request = args.Context.Properties.GetValue(RequestKey, null);
                    var log = args.Context.Properties.GetValue(LogKey, null);
                    var reason = args.Outcome.Exception is { } ex ? IntercomErrorClassifier.Describe(ex) : $"HTTP {args.Outcome.Result!.StatusCode}";
                    var overlap = args.Outcome.Exception is AttemptTimedOutException && request is { ChangesState: true }
                        ? " The timed-out attempt may still be carried out by Intercom, alongside the retry."
                        : "";
                    events?.Verbose($"{request?.Operation} failed ({reason}); retry {log?.TransientFailures} of {maxRetries} in {args.RetryDelay.TotalSeconds:0.0} s.{overlap}");
                    return default;
                },
            })
            .Build();
    }

    /// <summary>
    /// 429s and other failures have separate budgets: a run of 429s never uses up the retries a 5xx
    /// needs, and 429s are retried for MaxRateLimitWait, however many it takes.
    /// </summary>
    private bool ShouldRetry(Outcome<ApiResponse> outcome, ResilienceContext context, int maxRetries)
    {
        var log = context.Properties.GetValue(LogKey, null)!;
        if (outcome.Exception is { } exception)
        {
            if (!IsTransient(exception, context.CancellationToken)) return false;
            return ++log.TransientFailures <= maxRetries;
        }
        var status = outcome.Result!.StatusCode;
        if (status == 429)
        {
            log.RateLimited++;
            log.ImmediateRateLimitedInARow = outcome.Result.RetryAfterZero ? log.ImmediateRateLimitedInARow + 1 : 0;
            var now = _time.GetUtcNow();
            log.FirstRateLimitedAt ??= now;
            return now - log.FirstRateLimitedAt.Value < _options.MaxRateLimitWait
                && log.ImmediateRateLimitedInARow < MaxImmediateRateLimited;
        }
        if (!IsTransientStatus(status)) return false;
        return ++log.TransientFailures <= maxRetries;
    }

    private TimeSpan BackOff(int failures)
    {
        var exponential = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16));
        double jitter;
        lock (Jitter) jitter = 0.75 + Jitter.NextDouble() / 2;
        return TimeSpan.FromMilliseconds(Math.Min(exponential * jitter, LongestBackOff.TotalMilliseconds));
    }

    private static readonly Random Jitter = new();

    private static bool IsTransientStatus(int status) => status is 408 or 500 or 502 or 503 or 504 or (>= 520 and <= 599);

    private static bool IsTransient(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && exception is HttpRequestException or AttemptTimedOutException or IOException
            or OperationCanceledException; // a dropped connection can surface as a cancellation of the read

    public void Dispose() => _http.Dispose();
}
