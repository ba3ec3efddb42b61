using FakeIntercom.Json;
using FakeIntercom.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace FakeIntercom.Pipeline;

/// <summary>
/// Every request: logged on arrival, its body read, then passed through the stages in order until
/// one answers: latency, authentication, API version, rate limit, scripted answers, fault dice,
/// routing. A client that goes away, or a bug in the fake, ends as a dropped request in the log.
/// </summary>
internal sealed class RequestPipeline
{
    private readonly RequestLog _log;
    private readonly FaultSettings _faults;
    private readonly Router _router;
    private readonly IRequestStage[] _stages;
    private readonly CancellationToken _shutdown;

    public RequestPipeline(FakeIntercomOptions options, FaultSettings faults, FakeIntercomState state, RequestLog log, CancellationToken shutdown)
    {
        _log = log;
        _faults = faults;
        _shutdown = shutdown;
        _router = new Router(state, faults);
        var window = RateLimitWindow;
        _stages =
        [
            new LatencyStage(faults),
            new AuthenticationStage(options, faults),
            new ApiVersionStage(faults, window),
            new RateLimitStage(faults, window),
            new ScriptedResponseStage(faults),
            new FaultDiceStage(faults),
            _router,
        ];
    }

    /// <summary>The app's rate-limit window, shared by every request (and the simulated other client).</summary>
    public RateLimitWindow RateLimitWindow { get; } = new();

    public async Task HandleAsync(HttpContext ctx)
    {
        var rawTarget = ctx.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(rawTarget)) rawTarget = ctx.Request.PathBase + ctx.Request.Path + ctx.Request.QueryString;
        var q = rawTarget.IndexOf('?');
        var rawPath = q >= 0 ? rawTarget[..q] : rawTarget;
        var slot = _log.Open(new RequestLog.Slot
        {
            ReceivedAt = DateTimeOffset.UtcNow,
            Method = ctx.Request.Method,
            RawPath = rawPath,
            Query = q >= 0 ? rawTarget[q..] : "",
            IntercomVersion = ctx.Request.Headers.TryGetValue("Intercom-Version", out var v) ? v.ToString() : null,
            Authorization = ctx.Request.Headers.TryGetValue("Authorization", out var a) ? a.ToString() : null,
        }, _router.EndpointName(ctx.Request.Method, rawPath));

        var requestId = Guid.NewGuid().ToString();
        ctx.Response.Headers["X-Request-Id"] = requestId;

        // Complete the log entry before the first response byte leaves, so that a client that has
        // received its answer always finds the request in the log.
        ctx.Response.OnStarting(() =>
        {
            _log.Complete(slot, ctx.Response.StatusCode, dropped: false);
            return Task.CompletedTask;
        });

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _shutdown);
        var exchange = new FakeExchange(ctx, _log, _faults, slot, requestId, linked.Token);

        try
        {
            slot.Body = await RequestBody.ReadAsync(ctx.Request, linked.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The client went away while sending (a cancelled request): nothing to answer.
            exchange.Drop();
            return;
        }

        try
        {
            foreach (var stage in _stages)
                if (await stage.TryAnswerAsync(exchange).ConfigureAwait(false)) break;
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            exchange.Drop();
        }
        catch (Exception ex) when (ex is IOException or BadHttpRequestException && ctx.RequestAborted.IsCancellationRequested)
        {
            exchange.Drop();
        }
        catch (Exception ex)
        {
            if (ctx.Response.HasStarted)
            {
                exchange.Drop();
                return;
            }
            try
            {
                await ResponseWriter.WriteErrorAsync(ctx, requestId, 500, "server_error", "Fake server bug: " + ex.Message, CancellationToken.None)
                    .ConfigureAwait(false);
            }
            catch
            {
                exchange.Drop();
            }
        }
        finally
        {
            // A response whose headers are flushed only after the delegate returns still goes through
            // OnStarting; this covers anything else. First completion wins.
            _log.Complete(slot, ctx.Response.StatusCode, dropped: false);
        }
    }
}
