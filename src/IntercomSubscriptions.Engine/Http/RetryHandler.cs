using System.Globalization;
using System.Net.Http;
using System.Runtime.ExceptionServices;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// The one resilience path: which attempts a call makes. A transient failure (5xx but 501 and 505-519, 408, a
/// timeout, a dropped connection, an answer cut off) is retried up to MaxRetries times after an
/// exponential back-off with jitter; a 429 is retried at once, since the pacer now holds every request
/// until the window resets, for as long as MaxRateLimitWait allows. Each retry is counted for the
/// caller and, unless it is a 429's, announced (Verbose).
/// </summary>
/// <remarks>
/// 429s and other failures have separate budgets: a run of 429s never uses up the retries a 5xx
/// needs. A 429 that says "Retry-After: 0" gives the pacer nothing to wait for; retried for minutes,
/// that would be a storm of doomed requests, so <see cref="MaxImmediateRateLimited"/> in a row end the call.
/// </remarks>
internal sealed class RetryHandler : DelegatingHandler
{
    internal const int MaxImmediateRateLimited = 10;
    // Back-off after a transient failure: 1x, 2x, 4x… the base delay, with jitter, at most this.
    private static readonly TimeSpan LongestBackOff = TimeSpan.FromSeconds(30);

    private readonly IntercomClientOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _jitter = new();

    public RetryHandler(IntercomClientOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var call = IntercomCall.Of(request);
        while (true)
        {
            HttpResponseMessage? response = null;
            ExceptionDispatchInfo? failure = null;
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransient(ex, cancellationToken))
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }

            var delay = failure is not null ? AfterFailure(call) : AfterAnswer(call, response!);
            if (delay is null)
            {
                failure?.Throw();
                return response!;
            }
            // Its bytes go back to the connection's answer budget before the next attempt.
            response?.Dispose();
            if (failure is not null || !IsRateLimited(response!))
                Announce(call, failure?.SourceException, response, delay.Value);
            if (delay > TimeSpan.Zero)
                await _time.Delay(delay.Value, cancellationToken).ConfigureAwait(false);
            call.Count(WireEvent.Retry);
        }
    }

    /// <summary>The back-off before retrying a transient failure, or null when the retries are used up.</summary>
    private TimeSpan? AfterFailure(IntercomCall call) =>
        ++call.Log.TransientFailures <= Math.Max(0, _options.MaxRetries) ? BackOff(call.Log.TransientFailures) : null;

    /// <summary>The wait before retrying an answer, or null when the answer is the call's outcome.</summary>
    private TimeSpan? AfterAnswer(IntercomCall call, HttpResponseMessage response)
    {
        var log = call.Log;
        if (IsRateLimited(response))
        {
            log.ImmediateRateLimitedInARow = response.Headers.RetryAfter?.Delta == TimeSpan.Zero ? log.ImmediateRateLimitedInARow + 1 : 0;
            var now = _time.GetUtcNow();
            log.FirstRateLimitedAt ??= now;
            var retry = now - log.FirstRateLimitedAt.Value < _options.MaxRateLimitWait
                && log.ImmediateRateLimitedInARow < MaxImmediateRateLimited;
            // The wait itself is the pacer's: it now knows the window is spent and holds every request until Reset.
            return retry ? TimeSpan.Zero : null;
        }
        return IsTransientStatus((int)response.StatusCode) ? AfterFailure(call) : null;
    }

    private void Announce(IntercomCall call, Exception? failure, HttpResponseMessage? response, TimeSpan delay)
    {
        if (call.Events is not { } events) return;
        var reason = failure is not null ? IntercomErrorClassifier.Describe(failure) : $"HTTP {(int)response!.StatusCode}";
        var overlap = failure is AttemptTimedOutException && call.Request.ChangesState
            ? " The timed-out attempt may still be carried out by Intercom, alongside the retry."
            : "";
        events.Verbose(string.Format(CultureInfo.InvariantCulture, "{0} failed ({1}); retry {2} of {3} in {4:0.0} s.{5}",
            call.Request.Operation, reason, call.Log.TransientFailures, Math.Max(0, _options.MaxRetries), delay.TotalSeconds, overlap));
    }

    private TimeSpan BackOff(int failures)
    {
        var exponential = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16));
        double jitter;
        lock (_jitter) jitter = 0.75 + (_jitter.NextDouble() / 2);
        return TimeSpan.FromMilliseconds(Math.Min(exponential * jitter, LongestBackOff.TotalMilliseconds));
    }

    private static bool IsRateLimited(HttpResponseMessage response) => (int)response.StatusCode == 429;

    /// <summary>The statuses worth another attempt: 408, and 5xx except 501 (not implemented) and 505-519 (protocol and gateway setup errors that a repeat meets again).</summary>
    internal static bool IsTransientStatus(int status) => status is 408 or 500 or 502 or 503 or 504 or (>= 520 and <= 599);

    private static bool IsTransient(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && exception is HttpRequestException or AttemptTimedOutException or IOException
            or OperationCanceledException; // a dropped connection can surface as a cancellation of the read
}
