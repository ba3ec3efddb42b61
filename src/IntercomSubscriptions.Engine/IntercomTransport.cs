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
    // 429s do not count against MaxRetries: the pacer waits for the window, and a busy shared app
    // may need a few windows before a request gets through.
    private const int MaxRateLimitRetries = 10;
    private static readonly ResiliencePropertyKey<IIntercomEventSink?> EventSinkKey = new("IntercomSubscriptions.Events");
    private static readonly ResiliencePropertyKey<string> OperationKey = new("IntercomSubscriptions.Operation");

    private readonly IntercomClientOptions _options;
    private readonly AccessToken _token;
    private readonly ServerTextCleaner _text;
    private readonly IntercomErrorClassifier _errors;
    private readonly IntercomHttpRegistration _http;
    private readonly ResiliencePipeline<ApiResponse> _pipeline;
    private readonly TimeProvider _time;

    public IntercomTransport(IntercomClientOptions options, AccessToken token, ServerTextCleaner text, IntercomErrorClassifier errors,
        Func<HttpMessageHandler>? primaryHandler, TimeProvider time)
    {
        _options = options;
        _token = token;
        _text = text;
        _errors = errors;
        _time = time;
        Pacer = new RateLimitPacer(time);
        _http = new IntercomHttpRegistration(options, primaryHandler);
        _pipeline = BuildPipeline(options, time);
    }

    public RateLimitPacer Pacer { get; }

    public async Task<ApiResponse> SendAsync(IntercomRequest request, IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(EventSinkKey, events);
        context.Properties.Set(OperationKey, request.Operation);
        ApiResponse response;
        try
        {
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.transport.AttemptAsync(state.request, state.events, ctx.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception ex)
                    {
                        return Outcome.FromException<ApiResponse>(ex);
                    }
                },
                context, (transport: this, request, events)).ConfigureAwait(false);
            if (outcome.Exception is not null)
                throw _errors.FromFailure(outcome.Exception, request, cancellationToken);
            response = outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (!response.IsSuccess)
            throw _errors.FromResponse(response, request);
        return response;
    }

    private async Task<ApiResponse> AttemptAsync(IntercomRequest request, IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        var ticket = await Pacer.AcquireAsync(events, cancellationToken).ConfigureAwait(false);
        // The timeout starts now: the pacer's wait above may be long, and the request was not on the wire.
        using var timeout = _time.CreateCancellationTokenSource(_options.Timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await ExchangeAsync(request, ticket, events, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
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
            if (request.JsonBody is not null)
                message.Content = new StringContent(request.JsonBody, Encoding.UTF8, "application/json");
            using var response = await _http.Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            headers = response.Headers;
            status = (int)response.StatusCode;
            var requestId = response.Headers.TryGetValues("X-Request-Id", out var ids) ? _text.Clean(ids.FirstOrDefault(), 100) : null;
            var body = await ReadBodyAsync(response, requestId, cancellationToken).ConfigureAwait(false);
            events?.Debug($"{request.Operation} -> {status} in {stopwatch.ElapsedMilliseconds} ms" + (requestId is null ? "" : $" (request_id {requestId})"));
            var location = status is >= 300 and <= 399 ? response.Headers.Location : null;
            return new ApiResponse(status.Value, _text.Clean(response.ReasonPhrase, 100), _text.Clean(response.Content.Headers.ContentType?.MediaType, 100), body, requestId)
            {
                Location = location is null ? null : _text.Clean(location.IsAbsoluteUri ? location.GetLeftPart(UriPartial.Path) : location.OriginalString.Split('?')[0], 200),
            };
        }
        finally
        {
            Pacer.Release(ticket, headers, status);
        }
    }

    private async Task<string> ReadBodyAsync(HttpResponseMessage response, string? requestId, CancellationToken cancellationToken)
    {
        var declared = response.Content.Headers.ContentLength;
        if (declared > _options.MaxResponseBytes)
            throw TooLarge((int)response.StatusCode, declared.Value, requestId);
        using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > _options.MaxResponseBytes)
                throw TooLarge((int)response.StatusCode, null, requestId);
            buffer.Write(chunk, 0, read);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private IntercomApiException TooLarge(int status, long? length, string? requestId) =>
        new(IntercomErrorKind.InvalidResponse,
            $"Intercom's answer is larger than {_options.MaxResponseBytes / (1024 * 1024)} MiB" + (length is null ? "" : $" ({length} bytes)") + "; it was not read",
            status, null, requestId);

    private static ResiliencePipeline<ApiResponse> BuildPipeline(IntercomClientOptions options, TimeProvider time)
    {
        var maxRetries = Math.Max(0, options.MaxRetries);
        return new ResiliencePipelineBuilder<ApiResponse> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<ApiResponse>
            {
                MaxRetryAttempts = Math.Max(maxRetries, MaxRateLimitRetries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = TimeSpan.FromSeconds(30),
                ShouldHandle = args =>
                {
                    var retry = args.Outcome.Exception is { } exception
                        ? IsTransient(exception, args.Context.CancellationToken) && args.AttemptNumber < maxRetries
                        : args.Outcome.Result!.StatusCode == 429
                            ? args.AttemptNumber < MaxRateLimitRetries
                            : IsTransientStatus(args.Outcome.Result.StatusCode) && args.AttemptNumber < maxRetries;
                    return new ValueTask<bool>(retry);
                },
                // A 429's wait is the pacer's: it now knows the window is spent and holds every request until Reset.
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.StatusCode == 429 ? TimeSpan.Zero : null),
                OnRetry = args =>
                {
                    var events = args.Context.Properties.GetValue(EventSinkKey, null);
                    var operation = args.Context.Properties.GetValue(OperationKey, "request");
                    var reason = args.Outcome.Exception is { } ex ? IntercomErrorClassifier.Describe(ex) : $"HTTP {args.Outcome.Result!.StatusCode}";
                    if (args.Outcome.Result?.StatusCode != 429)
                        events?.Verbose($"{operation} failed ({reason}); retry {args.AttemptNumber + 1} of {maxRetries} in {args.RetryDelay.TotalSeconds:0.0} s.");
                    return default;
                },
            })
            .Build();
    }

    private static bool IsTransientStatus(int status) => status is 408 or 500 or 502 or 503 or 504 or (>= 520 and <= 599);

    private static bool IsTransient(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && exception is HttpRequestException or AttemptTimedOutException or IOException
            or OperationCanceledException; // a dropped connection can surface as a cancellation of the read

    public void Dispose() => _http.Dispose();
}
