using System.Net.Http.Headers;
using System.Text;
using FakeIntercom;

namespace IntercomSubscriptions.Tests.FakeServer;

/// <summary>
/// Tests of the fake Intercom itself: a fresh server per test and a plain HttpClient speaking to it
/// over real HTTP, with no module involved, so each knob is checked on its own.
/// </summary>
public abstract class FakeServerFixture : IAsyncLifetime
{
    protected FakeIntercomServer Server { get; private set; } = null!;
    protected HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FakeIntercomServer.StartAsync();
        Http = new HttpClient { BaseAddress = Server.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Server.Token);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }

    protected Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    protected static async Task<System.Text.Json.JsonElement> JsonOf(HttpResponseMessage response)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }
}
