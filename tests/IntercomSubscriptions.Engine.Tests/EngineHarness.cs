using System.Net;
using System.Security;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>An <see cref="IntercomClient"/> over a <see cref="ScriptedHandler"/> and a <see cref="VirtualClock"/>.</summary>
internal sealed class EngineHarness : IDisposable
{
    public const string Token = "dG9rOmFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6MDEyMzQ1Njc4OQ==";
    /// <summary>Attempts time out after an hour of virtual time unless a test says otherwise,</summary>
    public static readonly TimeSpan TestTimeout = TimeSpan.FromHours(1);
    /// <summary>and the clock is never moved that far on its own, so no attempt times out by accident.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromMinutes(30);

    public EngineHarness(params ScriptedHandler.Step[] steps) : this(null, steps)
    {
    }

    public EngineHarness(Action<IntercomClientOptions>? configure, params ScriptedHandler.Step[] steps)
    {
        Handler = new ScriptedHandler(Clock, steps);
        Options = new IntercomClientOptions(new Uri("http://127.0.0.1/")) { Timeout = TestTimeout };
        configure?.Invoke(Options);
        Client = new IntercomClient(Options, Secure(Token), Handler, Clock);
    }

    public VirtualClock Clock { get; } = new();
    public ScriptedHandler Handler { get; }
    public IntercomClientOptions Options { get; }
    public IntercomClient Client { get; }
    public RecordingEvents Events { get; } = new();

    public Task<T> Drive<T>(Func<IntercomClient, IIntercomEventSink, CancellationToken, Task<T>> call, TimeSpan? horizon = null, int settle = 10) =>
        Clock.DriveAsync(call(Client, Events, CancellationToken.None), horizon ?? Horizon, settle);

    public async Task<IntercomApiException> Fails<T>(Func<IntercomClient, IIntercomEventSink, CancellationToken, Task<T>> call, TimeSpan? horizon = null) =>
        await Assert.ThrowsAsync<IntercomApiException>(() => Drive(call, horizon));

    public static SecureString Secure(string text) => new NetworkCredential(string.Empty, text).SecurePassword;

    public void Dispose() => Client.Dispose();
}
