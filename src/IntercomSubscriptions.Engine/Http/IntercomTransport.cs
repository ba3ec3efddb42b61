using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Sends one <see cref="IntercomRequest"/> through the connection's handler pipeline
/// (<see cref="IntercomHandlerPipeline"/>: retried, paced, each attempt under its own timeout, the
/// answer read as it arrives) and returns the success as an <see cref="ApiResponse"/>; anything else is thrown
/// as an <see cref="IntercomApiException"/>. The caller's sink goes with the call, on the message.
/// </summary>
internal sealed class IntercomTransport : IDisposable
{
    private readonly IntercomClientOptions _options;
    private readonly AccessToken _token;
    private readonly ServerTextCleaner _text;
    private readonly IntercomErrorClassifier _errors;
    private readonly TimeProvider _time;
    private readonly TokenRefusal _tokenRefusal = new();
    private readonly AnswerReader _answers;
    private readonly HttpMessageInvoker _pipeline;

    /// <param name="primaryHandler">The handler that talks to Intercom; null for the real one (tests give a scripted one).</param>
    public IntercomTransport(IntercomClientOptions options, AccessToken token, ServerTextCleaner text, IntercomErrorClassifier errors,
        HttpMessageHandler? primaryHandler, TimeProvider time)
    {
        _options = options;
        _token = token;
        _text = text;
        _errors = errors;
        _time = time;
        _answers = new AnswerReader(options.MaxResponseBytes);
        var pipeline = new IntercomHandlerPipeline(primaryHandler ?? PrimaryHandlerFactory.Create(options),
            new RetryHandler(options, time),
            new AttemptHandler(options, time, new AdaptiveConcurrencyLimit(time), new RateLimitPacer(time, options.MaxRateLimitWait, options.RateLimitShare), _tokenRefusal, _answers, text),
            new CountingHandler());
        _pipeline = new HttpMessageInvoker(pipeline.Build(), disposeHandler: true);
    }

    /// <summary>Bounds the bytes answers hold at once across this connection's requests.</summary>
    public AnswerMemoryGate Answers => _answers.Memory;

    /// <param name="options">A change's write-ahead step, its token for attempts on the wire, and where to report them; null for none.</param>
    public async Task<ApiResponse> SendAsync(IntercomRequest request, IIntercomEventSink? events, CallOptions? options, CancellationToken cancellationToken)
    {
        var call = new IntercomCall(request, events, _time, options);
        HttpResponseMessage answer;
        using (var message = NewMessage(request))
        {
            call.AttachTo(message);
            try
            {
                answer = await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                throw _errors.FromFailure(ex, call, cancellationToken);
            }
        }

        var response = ToApiResponse(answer);
        if (response.IsSuccess)
            return response;
        using (response)
        {
            var error = _errors.FromResponse(response, request, call.Log);
            _tokenRefusal.Observe(error);
            throw error;
        }
    }

    private HttpRequestMessage NewMessage(IntercomRequest request)
    {
        var message = new HttpRequestMessage(request.Method, new Uri(_options.BaseUri, request.Path));
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        message.Headers.TryAddWithoutValidation("Intercom-Version", _options.ApiVersion);
        message.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
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
        return message;
    }

    /// <summary>The final answer, its body already read by <see cref="AnswerReader"/>; the ApiResponse owns it from here.</summary>
    private ApiResponse ToApiResponse(HttpResponseMessage answer)
    {
        var status = (int)answer.StatusCode;
        var body = answer.Content is BufferedAnswerContent buffered ? buffered.Answer : AnswerJson.Blank;
        var requestId = _text.RequestId(answer.Headers);
        var location = status is >= 300 and <= 399 ? answer.Headers.Location : null;
        return new ApiResponse(status, _text.Clean(answer.ReasonPhrase, 100), _text.Clean(answer.Content?.Headers.ContentType?.MediaType, 100), body, requestId, answer)
        {
            Location = location is null ? null : _text.Clean(location.IsAbsoluteUri ? location.GetLeftPart(UriPartial.Path) : location.OriginalString.Split('?')[0], 200),
        };
    }

    public void Dispose()
    {
        _pipeline.Dispose();
        _answers.Dispose();
    }
}
