using System.Diagnostics;
using System.Globalization;

namespace IntercomSubscriptions.Bench;

/// <summary>
/// The fake Intercom (tests/FakeIntercom, built next to the bench) in a child process on 127.0.0.1,
/// port 0, so that a memory figure of this process counts the module and PowerShell only, not the
/// fake's contacts or its garbage. The fake stops when its stdin closes (this process ending
/// included) and then prints its calls per endpoint, read by <see cref="StopAsync"/>.
/// </summary>
internal sealed class FakeIntercomProcess : IAsyncDisposable
{
    private const string ListeningPrefix = "Fake Intercom listening on ";
    private const string CallsPrefix = "Calls ";
    private static readonly TimeSpan StartTimeLimit = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StopTimeLimit = TimeSpan.FromSeconds(30);

    private readonly Process _process;

    private FakeIntercomProcess(Process process, Uri baseUri, string token)
    {
        _process = process;
        BaseUri = baseUri;
        Token = token;
    }

    public Uri BaseUri { get; }

    public string Token { get; }

    /// <summary>Starts the fake with <paramref name="arguments"/> (beyond port, token, stop-on-stdin-close) and waits until it listens.</summary>
    public static async Task<FakeIntercomProcess> StartAsync(IEnumerable<string> arguments)
    {
        var token = "bench-" + Guid.NewGuid().ToString("N");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "FakeIntercom.dll"));
        foreach (var argument in new[] { "--port", "0", "--token", token, "--stop-on-stdin-close" }.Concat(arguments))
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new BenchmarkBrokenException("The fake Intercom process did not start.");
        try
        {
            using var limit = new CancellationTokenSource(StartTimeLimit);
            while (await process.StandardOutput.ReadLineAsync(limit.Token) is { } line)
            {
                if (line.StartsWith(ListeningPrefix, StringComparison.Ordinal))
                {
                    var baseUri = new Uri(line[ListeningPrefix.Length..].Trim());
                    if (!baseUri.IsLoopback) throw new BenchmarkBrokenException($"The fake listens on {baseUri}, not on loopback.");
                    return new FakeIntercomProcess(process, baseUri, token);
                }
            }
            throw new BenchmarkBrokenException($"The fake Intercom process ended before it listened (exit code {(process.HasExited ? process.ExitCode : -1)}).");
        }
        catch
        {
            Kill(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Closes the fake's stdin, waits for it to stop and returns its calls per endpoint.</summary>
    public async Task<IReadOnlyDictionary<string, int>> StopAsync()
    {
        _process.StandardInput.Close();
        var calls = new Dictionary<string, int>(StringComparer.Ordinal);
        using var limit = new CancellationTokenSource(StopTimeLimit);
        while (await _process.StandardOutput.ReadLineAsync(limit.Token) is { } line)
        {
            if (!line.StartsWith(CallsPrefix, StringComparison.Ordinal)) continue;
            var parts = line[CallsPrefix.Length..].Split(' ', 2);
            calls[parts[1]] = int.Parse(parts[0], CultureInfo.InvariantCulture);
        }
        await _process.WaitForExitAsync(limit.Token);
        return calls;
    }

    public ValueTask DisposeAsync()
    {
        Kill(_process);
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill();
        }
        catch (InvalidOperationException)
        {
            // It ended between the check and the kill.
        }
    }
}
