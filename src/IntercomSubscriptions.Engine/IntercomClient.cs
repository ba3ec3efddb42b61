using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Intercom's subscription API for one connection: builds the URLs, sends the requests through one
/// HttpClient from IHttpClientFactory, paces them by the rate-limit headers, retries what is
/// transient and turns every failure into an <see cref="IntercomApiException"/>. Thread-safe: a bulk
/// run has many calls in flight at once.
/// </summary>
public sealed class IntercomClient : IDisposable
{
    private const string HttpClientName = "Intercom";
    // 429s do not count against MaxRetries: the pacer waits for the window, and a busy shared app
    // may need a few windows before a request gets through.
    private const int MaxRateLimitRetries = 10;
    private static readonly ResiliencePropertyKey<IIntercomEventSink?> EventSinkKey = new("IntercomSubscriptions.Events");
    private static readonly ResiliencePropertyKey<string> OperationKey = new("IntercomSubscriptions.Operation");

    private readonly IntercomClientOptions _options;
    private readonly SecureString _token;
    private readonly ServiceProvider _services;
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<ApiResponse> _pipeline;
    private int _disposed;

    public IntercomClient(IntercomClientOptions options, SecureString token)
    {
        _options = options;
        _token = token.Copy();
        _token.MakeReadOnly();
        Pacer = new RateLimitPacer();

        var services = new ServiceCollection();
        services.AddHttpClient(HttpClientName, client =>
            {
                client.BaseAddress = options.BaseUri;
                // Each attempt has its own timeout (the resilience pipeline); the client's would cut retries short.
                client.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                client.DefaultRequestHeaders.TryAddWithoutValidation("Intercom-Version", options.ApiVersion);
                client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", options.UserAgent);
            })
            .ConfigurePrimaryHttpMessageHandler(() => CreatePrimaryHandler(options))
            .SetHandlerLifetime(System.Threading.Timeout.InfiniteTimeSpan);
        _services = services.BuildServiceProvider();
        _http = _services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
        _pipeline = BuildPipeline(options);
    }

    public IntercomClientOptions Options => _options;

    public RateLimitPacer Pacer { get; }

    public Task<IReadOnlyList<SubscriptionTypeData>> ListSubscriptionTypesAsync(IIntercomEventSink? events, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "subscription_types", null, events, cancellationToken,
            response => IntercomJson.ReadList(response, IntercomJson.ReadSubscriptionType));

    public Task<IReadOnlyList<SubscriptionTypeData>> ListContactSubscriptionsAsync(string contactId, IIntercomEventSink? events, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, ContactSubscriptionsPath(contactId), null, events, cancellationToken,
            response => IntercomJson.ReadList(response, IntercomJson.ReadSubscriptionType));

    /// <summary>Attaches a contact to a subscription type: opt_in or opt_out, as the type's consent model says.</summary>
    public Task<SubscriptionTypeData> AttachSubscriptionAsync(string contactId, string subscriptionTypeId, string consentType,
        IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        IntercomIds.RequireSubscriptionTypeId(subscriptionTypeId);
        // PowerShell users type OPT_IN as readily as opt_in; Intercom wants its own spelling.
        consentType = consentType.ToLowerInvariant();
        if (consentType is not ("opt_in" or "opt_out"))
            throw new ArgumentException($"The consent '{IntercomIds.Printable(consentType)}' is not opt_in or opt_out.");
        // Intercom's samples send the id as a number, but its schema says string: send a string.
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["id"] = subscriptionTypeId, ["consent_type"] = consentType });
        return SendAsync(HttpMethod.Post, ContactSubscriptionsPath(contactId), body, events, cancellationToken,
            response => IntercomJson.ReadObject(response, IntercomJson.ReadSubscriptionType), typeOperation: true);
    }

    public Task<SubscriptionTypeData> DetachSubscriptionAsync(string contactId, string subscriptionTypeId,
        IIntercomEventSink? events, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete,
            ContactSubscriptionsPath(contactId) + "/" + Uri.EscapeDataString(IntercomIds.RequireSubscriptionTypeId(subscriptionTypeId)),
            null, events, cancellationToken,
            response => IntercomJson.ReadObject(response, IntercomJson.ReadSubscriptionType), typeOperation: true);

    /// <summary>Every contact whose email or external id equals <paramref name="value"/> (all pages).</summary>
    public async Task<IReadOnlyList<ContactData>> SearchContactsAsync(ContactSearchField field, string value,
        IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        var fieldName = field == ContactSearchField.Email ? "email" : "external_id";
        var contacts = new List<ContactData>();
        string? cursor = null;
        // A handful of pages is already far more contacts than one email or external id should match.
        for (var page = 0; page < 20; page++)
        {
            var pagination = new Dictionary<string, object> { ["per_page"] = 50 };
            if (cursor is not null) pagination["starting_after"] = cursor;
            var body = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["query"] = new Dictionary<string, string> { ["field"] = fieldName, ["operator"] = "=", ["value"] = value },
                ["pagination"] = pagination,
            });
            var (items, next) = await SendAsync(HttpMethod.Post, "contacts/search", body, events, cancellationToken,
                response => (IntercomJson.ReadList(response, IntercomJson.ReadContact), IntercomJson.NextCursor(response))).ConfigureAwait(false);
            contacts.AddRange(items);
            if (string.IsNullOrEmpty(next) || items.Count == 0) break;
            cursor = next;
        }
        return contacts;
    }

    private static string ContactSubscriptionsPath(string contactId) =>
        "contacts/" + IntercomIds.EscapeSegment(contactId, "contact id") + "/subscriptions";

    private async Task<T> SendAsync<T>(HttpMethod method, string relativePath, string? jsonBody,
        IIntercomEventSink? events, CancellationToken cancellationToken, Func<ApiResponse, T> read, bool typeOperation = false)
    {
        if (Volatile.Read(ref _disposed) != 0)
            throw new ObjectDisposedException(nameof(IntercomClient), "This Intercom connection was closed by Disconnect-Intercom; run Connect-Intercom again.");
        var operation = method.Method + " /" + relativePath;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(EventSinkKey, events);
        context.Properties.Set(OperationKey, operation);
        ApiResponse response;
        try
        {
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.client.SendOnceAsync(state.method, state.relativePath, state.jsonBody, state.events, ctx.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception ex)
                    {
                        return Outcome.FromException<ApiResponse>(ex);
                    }
                },
                context, (client: this, method, relativePath, jsonBody, events)).ConfigureAwait(false);
            if (outcome.Exception is not null)
                throw Translate(outcome.Exception, operation, cancellationToken);
            response = outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (!response.IsSuccess)
            throw ErrorFromResponse(response, typeOperation);
        return read(response);
    }

    private async Task<ApiResponse> SendOnceAsync(HttpMethod method, string relativePath, string? jsonBody,
        IIntercomEventSink? events, CancellationToken cancellationToken)
    {
        var ticket = await Pacer.AcquireAsync(events, cancellationToken).ConfigureAwait(false);
        HttpResponseHeaders? headers = null;
        int? status = null;
        var stopwatch = Stopwatch.StartNew();
        try
        {
            using var request = new HttpRequestMessage(method, relativePath);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ReadToken());
            if (jsonBody is not null)
                request.Content = new StringContent(jsonBody, Encoding.UTF8, "application/json");
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            headers = response.Headers;
            status = (int)response.StatusCode;
            var requestId = response.Headers.TryGetValues("X-Request-Id", out var ids) ? ServerText(ids.FirstOrDefault(), 100) : null;
            var body = await ReadBodyAsync(response, requestId, cancellationToken).ConfigureAwait(false);
            events?.Debug($"{method.Method} /{relativePath} -> {status} in {stopwatch.ElapsedMilliseconds} ms" + (requestId is null ? "" : $" (request_id {requestId})"));
            var location = status is >= 300 and <= 399 ? response.Headers.Location : null;
            return new ApiResponse(status.Value, ServerText(response.ReasonPhrase, 100), ServerText(response.Content.Headers.ContentType?.MediaType, 100), body, requestId)
            {
                Location = location is null ? null : ServerText(location.IsAbsoluteUri ? location.GetLeftPart(UriPartial.Path) : location.OriginalString.Split('?')[0], 200),
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

    /// <summary>
    /// Text a server (or whatever answered in its place) sent, made fit to show: never the token
    /// (a proxy may echo the request back), no control characters, not endless.
    /// </summary>
    private string? ServerText(string? text, int maxLength)
    {
        if (text is null) return null;
        // Most of what a server sends (request ids, "OK", content types) is shorter than the token and
        // cannot contain it; only longer text is worth taking the token out of its SecureString for.
        if (text.Length > 0 && text.Length >= TokenLength())
        {
            string token;
            try
            {
                token = ReadToken();
            }
            catch (ObjectDisposedException)
            {
                token = "";
            }
            if (token.Length > 0 && text.IndexOf(token, StringComparison.Ordinal) >= 0)
                text = text.Replace(token, "****");
        }
        return IntercomIds.Printable(text, maxLength);
    }

    private int TokenLength()
    {
        try
        {
            return _token.Length;
        }
        catch (ObjectDisposedException)
        {
            return int.MaxValue; // disconnected: no token left to find
        }
    }

    private string ReadToken()
    {
        // The token leaves the SecureString only for the moment it takes to build the header.
        var pointer = IntPtr.Zero;
        try
        {
            pointer = Marshal.SecureStringToGlobalAllocUnicode(_token);
            return Marshal.PtrToStringUni(pointer) ?? string.Empty;
        }
        finally
        {
            if (pointer != IntPtr.Zero) Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }

    private ResiliencePipeline<ApiResponse> BuildPipeline(IntercomClientOptions options)
    {
        var maxRetries = Math.Max(0, options.MaxRetries);
        return new ResiliencePipelineBuilder<ApiResponse>()
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
                    var reason = args.Outcome.Exception is { } ex ? Describe(ex) : $"HTTP {args.Outcome.Result!.StatusCode}";
                    if (args.Outcome.Result?.StatusCode != 429)
                        events?.Verbose($"{operation} failed ({reason}); retry {args.AttemptNumber + 1} of {maxRetries} in {args.RetryDelay.TotalSeconds:0.0} s.");
                    return default;
                },
            })
            .AddTimeout(options.Timeout)
            .Build();
    }

    private static bool IsTransientStatus(int status) => status is 408 or 500 or 502 or 503 or 504 or (>= 520 and <= 599);

    private static bool IsTransient(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && exception is HttpRequestException or TimeoutRejectedException or IOException
            or OperationCanceledException; // a dropped connection can surface as a cancellation of the read

    private static string Describe(Exception exception) => exception switch
    {
        TimeoutRejectedException => "no answer in time",
        HttpRequestException http => "network: " + (http.InnerException?.Message ?? http.Message),
        _ => exception.GetType().Name + ": " + exception.Message,
    };

    private Exception Translate(Exception exception, string operation, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
            return exception;
        return exception switch
        {
            IntercomApiException or ArgumentException or ObjectDisposedException => exception,
            TimeoutRejectedException => new IntercomApiException(IntercomErrorKind.Timeout,
                $"{operation}: Intercom did not answer within {_options.Timeout.TotalSeconds:0.#} s ({Attempts()})", inner: exception),
            _ => new IntercomApiException(IntercomErrorKind.ConnectionFailed,
                $"{operation}: could not reach {_options.BaseUri.Host}: {Describe(exception)} ({Attempts()})", inner: exception),
        };
    }

    private string Attempts() => _options.MaxRetries <= 0 ? "1 attempt, no retries" : $"{_options.MaxRetries + 1} attempts";

    private IntercomApiException ErrorFromResponse(ApiResponse response, bool typeOperation)
    {
        var (code, message, requestId) = IntercomJson.ReadErrorList(response.Body);
        code = ServerText(code, 100);
        message = ServerText(message, 500);
        requestId = ServerText(requestId, 100) ?? response.RequestId;
        if (response.StatusCode is >= 300 and <= 399)
        {
            // Intercom's API does not redirect; a redirect comes from something in between (a captive portal,
            // a misconfigured -BaseUri), and following it could send the request where it was never meant to go.
            return new IntercomApiException(IntercomErrorKind.InvalidResponse,
                $"Intercom answered HTTP {response.StatusCode} {response.ReasonPhrase}, a redirect" + (response.Location is null ? "" : $" to {response.Location}")
                + ", which the module does not follow (check -BaseUri and the proxy)",
                response.StatusCode, code, requestId);
        }
        if (message is null)
        {
            var what = string.IsNullOrWhiteSpace(response.Body) ? "an empty body"
                : $"a {response.ContentType ?? "non-JSON"} body that is not an Intercom error list (a proxy or gateway may have answered)";
            message = $"Intercom answered HTTP {response.StatusCode} {response.ReasonPhrase} with {what}";
        }
        var kind = response.StatusCode switch
        {
            404 when string.Equals(message, "User Not Found", StringComparison.OrdinalIgnoreCase) => IntercomErrorKind.ContactNotFound,
            404 when typeOperation => IntercomErrorKind.SubscriptionTypeNotFound,
            404 => IntercomErrorKind.NotFound,
            401 => IntercomErrorKind.Unauthorized,
            403 => IntercomErrorKind.Forbidden,
            408 => IntercomErrorKind.Timeout,
            429 => IntercomErrorKind.RateLimited,
            >= 500 => IntercomErrorKind.ServerError,
            _ => IntercomErrorKind.InvalidRequest,
        };
        return new IntercomApiException(kind, message, response.StatusCode, code, requestId);
    }

    private static HttpMessageHandler CreatePrimaryHandler(IntercomClientOptions options)
    {
        var handler = new HttpClientHandler
        {
            MaxConnectionsPerServer = options.MaxConnectionsPerServer,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            // Redirects are reported, not followed: see ErrorFromResponse.
            AllowAutoRedirect = false,
        };
        if (options.Proxy is not null)
        {
            handler.Proxy = options.Proxy;
            handler.UseProxy = true;
        }
        if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
        {
            // Windows PowerShell 5.1 may still default to TLS 1.0; ask for 1.2+ on this handler only,
            // leaving ServicePointManager (process-wide, other modules rely on it) alone.
            handler.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | (System.Security.Authentication.SslProtocols)12288; // Tls13
        }
        return handler;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _http.Dispose();
        _services.Dispose();
        _token.Dispose();
    }
}
