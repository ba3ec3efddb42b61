using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FakeIntercom;

/// <summary>A fake Intercom REST API bound to 127.0.0.1 only.</summary>
public sealed partial class FakeIntercomServer : IAsyncDisposable, IDisposable
{
    private const string JsonContentType = "application/json; charset=utf-8";
    private const int DefaultPerPage = 50;
    private const int MaxPerPage = 150;

    private static readonly JsonSerializerOptions JsonOut = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    private readonly WebApplication _app;
    private readonly FakeIntercomOptions _options;
    private readonly CancellationTokenSource _shutdown = new();

    private readonly object _logGate = new();
    private List<LogSlot> _log = new();
    private int _inFlight;
    private int _maxConcurrent;
    private int _requestsWhileExhausted;

    private readonly object _rateGate = new();
    private long _rateWindowStart = long.MinValue;
    private int _rateWindowSeconds;
    private int _rateCount;

    private int _disposed;

    private FakeIntercomServer(WebApplication app, FakeIntercomOptions options)
    {
        _app = app;
        _options = options;
        State = new FakeIntercomState();
        Faults = new FaultSettings();
        Token = options.Token;
        BaseUri = null!;
    }

    public Uri BaseUri { get; private set; }

    public string Token { get; }

    public FakeIntercomState State { get; }

    public FaultSettings Faults { get; }

    /// <summary>Snapshot of the completed requests, in arrival order (empty unless <see cref="FakeIntercomOptions.RecordRequests"/>).</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_logGate)
            {
                var list = new List<RecordedRequest>(_log.Count);
                foreach (var slot in _log)
                    if (slot.Entry is { } e) list.Add(e);
                return list;
            }
        }
    }

    /// <summary>Peak number of requests handled at once since start / <see cref="ResetLog"/>.</summary>
    public int MaxConcurrentRequests
    {
        get { lock (_logGate) return _maxConcurrent; }
    }

    /// <summary>Requests that arrived while the rate-limit window was exhausted (each got a 429).</summary>
    public int RequestsWhileExhausted
    {
        get { lock (_logGate) return _requestsWhileExhausted; }
    }

    /// <summary>Clears the request log, <see cref="MaxConcurrentRequests"/> and <see cref="RequestsWhileExhausted"/>.</summary>
    public void ResetLog()
    {
        lock (_logGate)
        {
            _log = new List<LogSlot>();
            _maxConcurrent = 0;
            _requestsWhileExhausted = 0;
        }
    }

    public static async Task<FakeIntercomServer> StartAsync(FakeIntercomOptions? options = null)
    {
        options ??= new FakeIntercomOptions();
        if (options.Port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(options), "Port must be 0..65535.");

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = Array.Empty<string>(),
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, NoopHostLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, options.Port, lo => lo.Protocols = HttpProtocols.Http1);
        });

        var app = builder.Build();
        var server = new FakeIntercomServer(app, options);
        if (options.SeedSampleData) server.State.AddSampleData();
        app.Run(server.HandleAsync);

        await app.StartAsync().ConfigureAwait(false);

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var address = addresses?.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel did not report a listening address.");
        server.BaseUri = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try { _shutdown.Cancel(); } catch (ObjectDisposedException) { }
        try
        {
            using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(stopTimeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) { }
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    // ------------------------------------------------------------------------------------------
    // Request pipeline
    // ------------------------------------------------------------------------------------------

    private async Task HandleAsync(HttpContext ctx)
    {
        var rawTarget = ctx.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(rawTarget)) rawTarget = ctx.Request.PathBase + ctx.Request.Path + ctx.Request.QueryString;
        var q = rawTarget.IndexOf('?');
        var slot = new LogSlot
        {
            ReceivedAt = DateTimeOffset.UtcNow,
            Method = ctx.Request.Method,
            RawPath = q >= 0 ? rawTarget[..q] : rawTarget,
            Query = q >= 0 ? rawTarget[q..] : "",
            IntercomVersion = ctx.Request.Headers.TryGetValue("Intercom-Version", out var v) ? v.ToString() : null,
            Authorization = ctx.Request.Headers.TryGetValue("Authorization", out var a) ? a.ToString() : null,
        };
        lock (_logGate)
        {
            if (_options.RecordRequests) _log.Add(slot);
            _inFlight++;
            if (_inFlight > _maxConcurrent) _maxConcurrent = _inFlight;
        }

        var requestId = Guid.NewGuid().ToString();
        ctx.Response.Headers["X-Request-Id"] = requestId;

        // Complete the log entry before the first response byte leaves, so that a client that has
        // received its answer always finds the request in the log.
        ctx.Response.OnStarting(() =>
        {
            Complete(slot, ctx.Response.StatusCode, dropped: false);
            return Task.CompletedTask;
        });

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _shutdown.Token);
        var ct = linked.Token;

        try
        {
            slot.Body = await ReadBodyAsync(ctx.Request, ct).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The client went away while sending (a cancelled request): nothing to answer.
            Drop(ctx, slot);
            return;
        }

        try
        {
            await ProcessAsync(ctx, slot, requestId, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Drop(ctx, slot);
        }
        catch (Exception ex) when (ex is IOException or Microsoft.AspNetCore.Http.BadHttpRequestException && ctx.RequestAborted.IsCancellationRequested)
        {
            Drop(ctx, slot);
        }
        catch (Exception ex)
        {
            if (!ctx.Response.HasStarted)
            {
                try
                {
                    await WriteErrorAsync(ctx, requestId, 500, "server_error", "Fake server bug: " + ex.Message, CancellationToken.None)
                        .ConfigureAwait(false);
                }
                catch
                {
                    Drop(ctx, slot);
                }
            }
            else
            {
                Drop(ctx, slot);
            }
        }
        finally
        {
            // Fallback (e.g. a response with no body whose headers are flushed only after the delegate returns
            // still goes through OnStarting; this covers anything else). First completion wins.
            Complete(slot, ctx.Response.StatusCode, dropped: false);
        }
    }

    /// <summary>Records the request as dropped (status 0) and aborts the connection.</summary>
    private void Drop(HttpContext ctx, LogSlot slot)
    {
        Complete(slot, 0, dropped: true);
        ctx.Abort();
    }

    private void Complete(LogSlot slot, int statusCode, bool dropped)
    {
        lock (_logGate)
        {
            if (slot.Entry is not null) return;
            slot.Entry = new RecordedRequest(
                slot.ReceivedAt, DateTimeOffset.UtcNow, slot.Method, slot.RawPath, slot.Query, slot.IntercomVersion,
                slot.Authorization, string.IsNullOrEmpty(slot.Body) ? null : slot.Body,
                dropped ? 0 : statusCode, dropped, slot.WhileExhausted);
            _inFlight--;
        }
    }

    private async Task ProcessAsync(HttpContext ctx, LogSlot slot, string requestId, CancellationToken ct)
    {
        var method = slot.Method;
        var rawPath = slot.RawPath;
        var version = slot.IntercomVersion;
        var authorization = slot.Authorization;
        var body = slot.Body;

        // 1. latency
        var latency = Faults.LatencyMs;
        if (latency > 0) await Task.Delay(latency, ct).ConfigureAwait(false);

        // 2. auth
        var token = ExtractBearer(authorization);
        if (token is not null && _options.ForbiddenTokens.Contains(token))
        {
            await WriteErrorAsync(ctx, requestId, 403, "api_plan_restricted", "Active subscription needed.", ct).ConfigureAwait(false);
            return;
        }
        if (token is null || !string.Equals(token, _options.Token, StringComparison.Ordinal))
        {
            await WriteErrorAsync(ctx, requestId, 401, "unauthorized", "Access Token Invalid", ct).ConfigureAwait(false);
            return;
        }

        // 3. Intercom-Version
        if (version is not null && !IsValidVersion(version))
        {
            ApplyRateLimitHeadersWithoutCounting(ctx);
            await WriteErrorAsync(ctx, requestId, 400, "intercom_version_invalid",
                $"The requested version '{version}' is not valid", ct).ConfigureAwait(false);
            return;
        }

        // 4. rate limit
        var (limit, window) = Faults.GetRateLimit();
        if (limit is int n)
        {
            bool exhausted;
            int remaining;
            long reset;
            lock (_rateGate)
            {
                var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                var start = Math.DivRem(now, window, out _) * window;
                if (start != _rateWindowStart || window != _rateWindowSeconds)
                {
                    _rateWindowStart = start;
                    _rateWindowSeconds = window;
                    _rateCount = 0;
                }
                reset = start + window;
                exhausted = _rateCount >= n;
                if (!exhausted) _rateCount++;
                remaining = Math.Max(0, n - _rateCount);
            }
            SetRateLimitHeaders(ctx, n, exhausted ? 0 : remaining, reset);
            if (exhausted)
            {
                slot.WhileExhausted = true;
                lock (_logGate) _requestsWhileExhausted++;
                await WriteErrorAsync(ctx, requestId, 429, "rate_limit_exceeded",
                    $"Exceeded rate limit of {n} in {window}_seconds", ct).ConfigureAwait(false);
                return;
            }
        }

        // 5. scripted responses
        var scripted = Faults.TryDequeueScripted(method, rawPath);
        if (scripted is not null)
        {
            if (scripted.DelayMs > 0) await Task.Delay(scripted.DelayMs, ct).ConfigureAwait(false);
            if (scripted.DropConnection)
            {
                Drop(ctx, slot);
                return;
            }
            ctx.Response.StatusCode = scripted.StatusCode;
            if (scripted.Headers is not null)
                foreach (var (name, value) in scripted.Headers)
                    ctx.Response.Headers[name] = value;
            if (scripted.Body is not null)
            {
                ctx.Response.ContentType = scripted.ContentType;
                await ctx.Response.WriteAsync(scripted.Body, ct).ConfigureAwait(false);
            }
            return;
        }

        // 6. fault dice
        var roll = Faults.Roll();
        if (roll.Drop)
        {
            Drop(ctx, slot);
            return;
        }
        if (roll.SlowMs > 0) await Task.Delay(roll.SlowMs, ct).ConfigureAwait(false);
        switch (roll.ServerError)
        {
            case 500:
                await WriteErrorAsync(ctx, requestId, 500, "server_error", "Server Error", ct).ConfigureAwait(false);
                return;
            case 503:
                await WriteErrorAsync(ctx, requestId, 503, "service_unavailable", "Sorry, the API service is temporarily unavailable", ct)
                    .ConfigureAwait(false);
                return;
            case 502:
                ctx.Response.StatusCode = 502;
                ctx.Response.ContentType = "text/html";
                await ctx.Response.WriteAsync("<html><body><h1>502 Bad Gateway</h1></body></html>", ct).ConfigureAwait(false);
                return;
        }

        // 7. routing
        await RouteAsync(ctx, requestId, method, rawPath, body, ct).ConfigureAwait(false);
    }

    private async Task RouteAsync(HttpContext ctx, string requestId, string method, string rawPath, string? body, CancellationToken ct)
    {
        var trimmed = rawPath.StartsWith('/') ? rawPath[1..] : rawPath;
        if (trimmed.EndsWith('/')) trimmed = trimmed[..^1];
        var segments = trimmed.Split('/').Select(SafeUnescape).ToArray();

        var isGet = HttpMethods.IsGet(method);
        var isPost = HttpMethods.IsPost(method);
        var isDelete = HttpMethods.IsDelete(method);

        if (segments is ["subscription_types"] && isGet)
        {
            var data = new JsonArray();
            foreach (var t in State.SubscriptionTypes) data.Add(ToJson(t));
            await WriteJsonAsync(ctx, 200, new JsonObject { ["type"] = "list", ["data"] = data }, ct).ConfigureAwait(false);
            return;
        }

        if (segments is ["contacts", "search"] && isPost)
        {
            await SearchAsync(ctx, requestId, body, ct).ConfigureAwait(false);
            return;
        }

        if (segments is ["contacts", var contactId, "subscriptions"])
        {
            if (isGet)
            {
                var types = State.TypesWithChoices(contactId);
                if (types is null)
                {
                    await WriteErrorAsync(ctx, requestId, 404, "not_found", "User Not Found", ct).ConfigureAwait(false);
                    return;
                }
                var data = new JsonArray();
                foreach (var t in types) data.Add(ToJson(t));
                await WriteJsonAsync(ctx, 200, new JsonObject { ["type"] = "list", ["data"] = data }, ct).ConfigureAwait(false);
                return;
            }
            if (isPost)
            {
                await AttachAsync(ctx, requestId, contactId, body, ct).ConfigureAwait(false);
                return;
            }
        }

        if (segments is ["contacts", var cid, "subscriptions", var typeId] && isDelete)
        {
            var result = State.TryRemoveChoice(cid, typeId, out var type);
            await WriteChoiceResultAsync(ctx, requestId, result, type, ct).ConfigureAwait(false);
            return;
        }

        await WriteErrorAsync(ctx, requestId, 404, "not_found", "Resource Not Found", ct).ConfigureAwait(false);
    }

    /// <summary>The request body as JSON, or null when it is not JSON at all.</summary>
    private static JsonElement? ParseJsonBody(string? body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body ?? "");
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task AttachAsync(HttpContext ctx, string requestId, string contactId, string? body, CancellationToken ct)
    {
        if (ParseJsonBody(body) is not { } root)
        {
            await WriteErrorAsync(ctx, requestId, 400, "parameter_invalid", "Invalid JSON body", ct).ConfigureAwait(false);
            return;
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            await WriteErrorAsync(ctx, requestId, 400, "parameter_invalid", "Invalid JSON body", ct).ConfigureAwait(false);
            return;
        }

        string? typeId = null;
        if (root.TryGetProperty("id", out var idEl))
        {
            switch (idEl.ValueKind)
            {
                case JsonValueKind.String: typeId = idEl.GetString(); break;
                case JsonValueKind.Number: typeId = idEl.GetRawText(); break;
                case JsonValueKind.Null: break;
                default:
                    await WriteErrorAsync(ctx, requestId, 400, "parameter_invalid", "id must be a string", ct).ConfigureAwait(false);
                    return;
            }
        }
        if (string.IsNullOrEmpty(typeId))
        {
            await WriteErrorAsync(ctx, requestId, 400, "missing_parameter", "id is missing", ct).ConfigureAwait(false);
            return;
        }

        string? consent = null;
        if (root.TryGetProperty("consent_type", out var ctEl))
        {
            switch (ctEl.ValueKind)
            {
                case JsonValueKind.String: consent = ctEl.GetString(); break;
                case JsonValueKind.Null: break;
                default:
                    await WriteErrorAsync(ctx, requestId, 400, "parameter_invalid", "consent_type must be opt_in or opt_out", ct)
                        .ConfigureAwait(false);
                    return;
            }
        }
        if (string.IsNullOrEmpty(consent))
        {
            await WriteErrorAsync(ctx, requestId, 400, "missing_parameter", "consent_type is missing", ct).ConfigureAwait(false);
            return;
        }
        if (consent is not ("opt_in" or "opt_out"))
        {
            await WriteErrorAsync(ctx, requestId, 400, "parameter_invalid", "consent_type must be opt_in or opt_out", ct)
                .ConfigureAwait(false);
            return;
        }

        var result = State.TrySetChoice(contactId, typeId, consent, out var type);
        await WriteChoiceResultAsync(ctx, requestId, result, type, ct).ConfigureAwait(false);
    }

    private static Task WriteChoiceResultAsync(HttpContext ctx, string requestId, FakeIntercomState.ChoiceResult result,
        SubscriptionTypeRecord? type, CancellationToken ct) => result switch
    {
        FakeIntercomState.ChoiceResult.UnknownContact => WriteErrorAsync(ctx, requestId, 404, "not_found", "User Not Found", ct),
        FakeIntercomState.ChoiceResult.UnknownType => WriteErrorAsync(ctx, requestId, 404, "not_found", "Resource Not Found", ct),
        _ => WriteJsonAsync(ctx, 200, ToJson(type!), ct),
    };

    private async Task SearchAsync(HttpContext ctx, string requestId, string? body, CancellationToken ct)
    {
        if (ParseJsonBody(body) is not { } root)
        {
            await WriteErrorAsync(ctx, requestId, 400, "parameter_invalid", "Invalid JSON body", ct).ConfigureAwait(false);
            return;
        }

        Task Bad(string message) => WriteErrorAsync(ctx, requestId, 400, "parameter_invalid", message, ct);

        if (root.ValueKind != JsonValueKind.Object)
        {
            await Bad("Invalid JSON body").ConfigureAwait(false);
            return;
        }
        if (!root.TryGetProperty("query", out var queryEl) || queryEl.ValueKind != JsonValueKind.Object)
        {
            await Bad("query is missing or invalid").ConfigureAwait(false);
            return;
        }
        var field = queryEl.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        var op = queryEl.TryGetProperty("operator", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
        var value = queryEl.TryGetProperty("value", out var vEl) && vEl.ValueKind == JsonValueKind.String ? vEl.GetString() : null;
        if (field is not ("email" or "external_id"))
        {
            await Bad("query.field must be email or external_id").ConfigureAwait(false);
            return;
        }
        if (op != "=")
        {
            await Bad("query.operator must be =").ConfigureAwait(false);
            return;
        }
        if (value is null)
        {
            await Bad("query.value must be a string").ConfigureAwait(false);
            return;
        }

        var perPage = DefaultPerPage;
        var offset = 0;
        if (root.TryGetProperty("pagination", out var pag) && pag.ValueKind != JsonValueKind.Null)
        {
            if (pag.ValueKind != JsonValueKind.Object)
            {
                await Bad("pagination must be an object").ConfigureAwait(false);
                return;
            }
            if (pag.TryGetProperty("per_page", out var pp) && pp.ValueKind != JsonValueKind.Null)
            {
                if (pp.ValueKind != JsonValueKind.Number || !pp.TryGetInt32(out perPage) || perPage < 1 || perPage > MaxPerPage)
                {
                    await Bad($"per_page must be between 1 and {MaxPerPage}").ConfigureAwait(false);
                    return;
                }
            }
            if (pag.TryGetProperty("starting_after", out var sa) && sa.ValueKind != JsonValueKind.Null)
            {
                if (sa.ValueKind != JsonValueKind.String || !TryDecodeCursor(sa.GetString()!, out offset))
                {
                    await Bad("starting_after is invalid").ConfigureAwait(false);
                    return;
                }
            }
        }

        var matches = State.Contacts.Where(c => field == "email"
                ? c.Email is not null && string.Equals(c.Email, value, StringComparison.OrdinalIgnoreCase)
                : c.ExternalId is not null && string.Equals(c.ExternalId, value, StringComparison.Ordinal))
            .ToList();

        var total = matches.Count;
        var totalPages = (total + perPage - 1) / perPage;
        var data = new JsonArray();
        foreach (var c in matches.Skip(offset).Take(perPage))
        {
            data.Add(new JsonObject
            {
                ["type"] = "contact",
                ["id"] = c.Id,
                ["workspace_id"] = "fakews01",
                ["external_id"] = c.ExternalId,
                ["role"] = c.Role,
                ["email"] = c.Email,
            });
        }
        var pages = new JsonObject
        {
            ["type"] = "pages",
            ["page"] = offset / perPage + 1,
            ["per_page"] = perPage,
            ["total_pages"] = totalPages,
        };
        var nextOffset = offset + perPage;
        if (nextOffset < total)
            pages["next"] = new JsonObject { ["per_page"] = perPage, ["starting_after"] = EncodeCursor(nextOffset) };

        await WriteJsonAsync(ctx, 200, new JsonObject
        {
            ["type"] = "list",
            ["data"] = data,
            ["total_count"] = total,
            ["pages"] = pages,
        }, ct).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------

    private static JsonObject ToJson(SubscriptionTypeRecord t)
    {
        var translations = new JsonArray
        {
            new JsonObject { ["name"] = t.Name, ["description"] = t.Description, ["locale"] = t.Locale },
        };
        foreach (var tr in t.Translations)
            translations.Add(new JsonObject { ["name"] = tr.Name, ["description"] = tr.Description, ["locale"] = tr.Locale });
        var contentTypes = new JsonArray();
        foreach (var c in t.ContentTypes) contentTypes.Add(c);
        return new JsonObject
        {
            ["type"] = "subscription",
            ["id"] = t.Id,
            ["state"] = t.State,
            ["consent_type"] = t.ConsentType,
            ["default_translation"] = new JsonObject { ["name"] = t.Name, ["description"] = t.Description, ["locale"] = t.Locale },
            ["translations"] = translations,
            ["content_types"] = contentTypes,
        };
    }

    private static async Task WriteJsonAsync(HttpContext ctx, int status, JsonNode node, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(node.ToJsonString(JsonOut));
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = JsonContentType;
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ct).ConfigureAwait(false);
    }

    private static Task WriteErrorAsync(HttpContext ctx, string requestId, int status, string code, string message, CancellationToken ct)
    {
        var node = new JsonObject
        {
            ["type"] = "error.list",
            ["request_id"] = requestId,
            ["errors"] = new JsonArray
            {
                new JsonObject { ["code"] = code, ["message"] = message, ["field"] = null },
            },
        };
        return WriteJsonAsync(ctx, status, node, ct);
    }

    private void SetRateLimitHeaders(HttpContext ctx, int limit, int remaining, long reset)
    {
        ctx.Response.Headers["X-RateLimit-Limit"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        ctx.Response.Headers["X-RateLimit-Remaining"] = remaining.ToString(System.Globalization.CultureInfo.InvariantCulture);
        ctx.Response.Headers["X-RateLimit-Reset"] = reset.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>For authenticated responses that come before the rate-limit stage: report the window without counting.</summary>
    private void ApplyRateLimitHeadersWithoutCounting(HttpContext ctx)
    {
        var (limit, window) = Faults.GetRateLimit();
        if (limit is not int n) return;
        int count;
        long start = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / window * window;
        lock (_rateGate)
            count = start == _rateWindowStart && window == _rateWindowSeconds ? _rateCount : 0;
        SetRateLimitHeaders(ctx, n, Math.Max(0, n - count), start + window);
    }

    private static string? ExtractBearer(string? authorization)
    {
        if (authorization is null) return null;
        const string prefix = "Bearer ";
        if (!authorization.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return null;
        var token = authorization[prefix.Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    private static bool IsValidVersion(string version) =>
        version is "Unstable" or "Preview" || VersionRegex().IsMatch(version);

    [GeneratedRegex(@"^\d+\.\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionRegex();

    private static string SafeUnescape(string segment)
    {
        try { return Uri.UnescapeDataString(segment); }
        catch (UriFormatException) { return segment; }
    }

    private static string EncodeCursor(int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("fake-cursor:" + offset.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecodeCursor(string cursor, out int offset)
    {
        offset = 0;
        try
        {
            var b64 = cursor.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(b64));
            return text.StartsWith("fake-cursor:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan("fake-cursor:".Length), System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static async Task<string?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength == 0) return null;
        using var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        var text = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        return text.Length == 0 ? null : text;
    }

    private sealed class LogSlot
    {
        public DateTimeOffset ReceivedAt;
        public string Method = "";
        public string RawPath = "";
        public string Query = "";
        public string? IntercomVersion;
        public string? Authorization;
        public string? Body;
        public bool WhileExhausted;
        public RecordedRequest? Entry; // guarded by _logGate
    }

    private sealed class NoopHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
