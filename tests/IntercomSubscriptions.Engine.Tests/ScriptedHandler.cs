using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>
/// The engine's primary handler in unit tests: answers each request with the next scripted step and
/// records what was sent. No socket is opened. When the script runs out, the last step repeats.
/// </summary>
internal sealed class ScriptedHandler : HttpMessageHandler
{
    public delegate Task<HttpResponseMessage> Step(HttpRequestMessage request, CancellationToken cancellationToken);

    private readonly object _gate = new();
    private readonly Queue<Step> _steps;
    private readonly TimeProvider _clock;
    private Step? _last;

    public ScriptedHandler(TimeProvider clock, params Step[] steps)
    {
        _clock = clock;
        _steps = new Queue<Step>(steps);
    }

    public sealed record SentRequest(HttpMethod Method, string PathAndQuery, string? Body, string? Authorization, string? ApiVersion, DateTimeOffset At)
    {
        /// <summary>The request asked for its connection to be closed after it (not pooled for reuse).</summary>
        public bool ConnectionClose { get; init; }
    }

    public List<SentRequest> Sent { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Step step;
        lock (_gate)
        {
            Sent.Add(new SentRequest(request.Method, request.RequestUri!.PathAndQuery, body,
                request.Headers.Authorization?.ToString(),
                request.Headers.TryGetValues("Intercom-Version", out var versions) ? versions.Single() : null,
                _clock.GetUtcNow()) { ConnectionClose = request.Headers.ConnectionClose == true });
            step = _steps.Count > 0 ? _steps.Dequeue() : _last ?? throw new InvalidOperationException("The script is empty.");
            _last = step;
        }
        var response = await step(request, cancellationToken);
        response.RequestMessage ??= request;
        return response;
    }

    public static Step Json(HttpStatusCode status, string json, Action<HttpResponseHeaders>? headers = null) =>
        (_, _) =>
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            headers?.Invoke(response.Headers);
            return Task.FromResult(response);
        };

    public static Step Body(HttpStatusCode status, HttpContent content, Action<HttpResponseHeaders>? headers = null) =>
        (_, _) =>
        {
            var response = new HttpResponseMessage(status) { Content = content };
            headers?.Invoke(response.Headers);
            return Task.FromResult(response);
        };

    /// <summary>The connection drops before any answer, as SocketsHttpHandler reports it.</summary>
    public static Step Drop() =>
        (_, _) => Task.FromException<HttpResponseMessage>(
            new HttpRequestException("An error occurred while sending the request.", new IOException("The connection was reset by the peer.")));

    /// <summary>No answer, ever: only the caller's timeout or cancellation ends it.</summary>
    public static Step Hang() =>
        async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        };

    /// <summary><paramref name="step"/>, answered only once every request sharing <paramref name="together"/> has arrived (at most 2 s of real time).</summary>
    public static Step Together(CountdownEvent together, Step step) =>
        async (request, cancellationToken) =>
        {
            together.Signal();
            await Task.Run(() => together.Wait(TimeSpan.FromSeconds(2)), cancellationToken);
            return await step(request, cancellationToken);
        };

    /// <summary>Intercom's rate-limit headers: the window's limit, what it has left, and when it resets.</summary>
    public static Action<HttpResponseHeaders> RateLimit(long limit, long remaining, DateTimeOffset reset) => headers =>
    {
        headers.Add("X-RateLimit-Limit", limit.ToString(CultureInfo.InvariantCulture));
        headers.Add("X-RateLimit-Remaining", remaining.ToString(CultureInfo.InvariantCulture));
        headers.Add("X-RateLimit-Reset", reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
    };

    public static Step Error(HttpStatusCode status, string code, string message, Action<HttpResponseHeaders>? headers = null) =>
        Json(status, $$"""{"type":"error.list","request_id":"req-{{(int)status}}","errors":[{"code":"{{code}}","message":"{{message}}"}]}""", headers);

    public static string SubscriptionType(string id, string name = "Newsletter", string consent = "opt_out") =>
        $$"""{"type":"subscription","id":"{{id}}","state":"live","consent_type":"{{consent}}","default_translation":{"name":"{{name}}","description":"d","locale":"en"},"translations":[],"content_types":["email"]}""";

    public static string List(params string[] items) => $$"""{"type":"list","data":[{{string.Join(",", items)}}]}""";
}
