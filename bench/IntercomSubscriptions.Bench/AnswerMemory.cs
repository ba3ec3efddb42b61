using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using IntercomSubscriptions.Tests;

namespace IntercomSubscriptions.Bench;

/// <summary>
/// Large answers (<c>--answer-memory</c>): the peak working set of a real pwsh 7.6 process (what Azure
/// Automation's 400 MB sandbox limit counts) while the module reads valid answers that a proxy or a
/// server padded to many megabytes: attach answers of 15 MiB, GET /contacts pages of 8 MiB
/// (<c>-All</c>), contact search pages (and attach answers) of 8 MiB. The fake Intercom runs in a
/// process of its own (<see cref="FakeIntercomProcess"/>), its <c>PadJsonAnswersToBytes</c> knob set
/// over its control surface; pwsh measures itself (its VmHWM, reset after the module is imported and
/// connected) and prints one JSON line.
/// </summary>
internal sealed class AnswerMemory(TextWriter log, int latencyMs, int? rateLimit)
{
    private const string ResultPrefix = "ANSWER-MEMORY ";

    public static string Usage => """
        Usage: dotnet run -c Release --project bench/IntercomSubscriptions.Bench -- --answer-memory [CASES] [--latency-ms N] [--rate-limit N]
          CASES           comma-separated: attach,list,search   (default all three)
          --latency-ms N  fake server latency per request       (default 0)
          --rate-limit N  requests per 10 s; without one the fake sends no X-RateLimit-Limit and the
                          module keeps 8 requests in flight, with one far above the pace up to 128
        """;

    /// <summary>One case: the fake's workspace, how big its answers are padded, and the pwsh lines that read them.</summary>
    private sealed record Case(string Name, string Label, int Contacts, bool Emails, long PadBytes, string Script, long ExpectedCount);

    public sealed record Result(string Label, long PadBytes, int Contacts, TimeSpan Elapsed, long StartWorkingSet, long BaselineWorkingSet,
        long PeakWorkingSet, long EndWorkingSet, long Count, IReadOnlyDictionary<string, int> Calls);

    private static readonly Case[] Cases =
    [
        new("attach", "200 attach answers of 15 MiB (Add-IntercomContactSubscription by id)", 200, false, 15L * 1024 * 1024,
            """
            $run = 1..$n | ForEach-Object { [pscustomobject]@{ contact_id = "c$_" } } |
                Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -ErrorAction SilentlyContinue
            $count = $run.Succeeded
            """, 200),
        new("list", "GET /contacts -All, 3,000 contacts in 8 MiB pages (Get-IntercomContactSubscription -All)", 3000, false, 8L * 1024 * 1024,
            """
            $count = 0
            Get-IntercomContactSubscription -All -SubscriptionId 108 | ForEach-Object { $count++ }
            """, 3000),
        new("search", "200 rows by email: contact search pages and attach answers of 8 MiB", 200, true, 8L * 1024 * 1024,
            """
            $run = 1..$n | ForEach-Object { [pscustomobject]@{ email = "c$_@example.com" } } |
                Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -ErrorAction SilentlyContinue
            $count = $run.Succeeded
            """, 200),
    ];

    public static async Task<int> RunAsync(string[] args, TextWriter log)
    {
        var names = Cases.Select(c => c.Name).ToArray();
        var latency = 0;
        int? rateLimit = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--answer-memory": break;
                case "--latency-ms": latency = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--rate-limit": rateLimit = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case var list when !list.StartsWith("--", StringComparison.Ordinal): names = list.Split(','); break;
                default: Console.Error.WriteLine(Usage); return 2;
            }
        }
        var chosen = names.Select(n => Cases.FirstOrDefault(c => c.Name == n) ?? throw new BenchmarkBrokenException($"No case '{n}': {Usage}")).ToList();
        var bench = new AnswerMemory(log, latency, rateLimit);
        var results = new List<Result>();
        foreach (var item in chosen)
            results.Add(await bench.MeasureAsync(item));
        Console.WriteLine(RunbookMemory.Runtime() + $"; pwsh {PwshVersion()}");
        Console.WriteLine();
        Console.WriteLine(ToMarkdown(results, latency, rateLimit));
        return 0;
    }

    private async Task<Result> MeasureAsync(Case item)
    {
        var fakeArguments = new List<string>
        {
            "--contacts", item.Contacts.ToString(CultureInfo.InvariantCulture), "--opt-out", "108", "--no-request-log",
            "--latency-ms", latencyMs.ToString(CultureInfo.InvariantCulture),
        };
        if (item.Emails) fakeArguments.Add("--contact-emails");
        if (rateLimit is int limit) fakeArguments.AddRange(["--rate-limit", limit.ToString(CultureInfo.InvariantCulture)]);
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] {item.Name}: starting the fake Intercom ({item.Contacts:N0} contacts, answers padded to {item.PadBytes:N0} bytes) in a process of its own ...");
        await using var fake = await FakeIntercomProcess.StartAsync(fakeArguments);
        await SetKnobAsync(fake.BaseUri, "PadJsonAnswersToBytes", item.PadBytes);

        var script = $$"""
            $ErrorActionPreference = 'Stop'
            $self = [System.Diagnostics.Process]::GetCurrentProcess()
            $start = $self.WorkingSet64
            Import-Module $env:BENCH_MANIFEST
            Connect-Intercom -BaseUri $env:BENCH_BASE_URI -Token (ConvertTo-SecureString $env:BENCH_TOKEN -AsPlainText -Force)
            [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
            $self.Refresh()
            $baseline = $self.WorkingSet64
            # Linux keeps the peak resident set (VmHWM) for the process's life; 5 resets it to the current size.
            [System.IO.File]::WriteAllText('/proc/self/clear_refs', '5')
            $n = {{item.ExpectedCount}}
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            {{item.Script}}
            $clock.Stop()
            $self.Refresh()
            $measured = [ordered]@{ start = $start; baseline = $baseline; peak = $self.PeakWorkingSet64; end = $self.WorkingSet64; ms = $clock.ElapsedMilliseconds; count = [long]$count }
            '{{ResultPrefix}}' + ($measured | ConvertTo-Json -Compress)
            """;
        var scriptPath = Path.Combine(Path.GetTempPath(), $"answer-memory-{Guid.NewGuid():N}.ps1");
        await File.WriteAllTextAsync(scriptPath, script);
        try
        {
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] {item.Name}: {item.Label} in pwsh ...");
            var output = await RunPwshAsync(scriptPath, new Dictionary<string, string>
            {
                ["BENCH_MANIFEST"] = PowerShellSession.ManifestPath,
                ["BENCH_BASE_URI"] = fake.BaseUri.ToString(),
                ["BENCH_TOKEN"] = fake.Token,
            });
            var line = output.LastOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal))
                ?? throw new BenchmarkBrokenException($"{item.Name}: pwsh printed no result:\n{string.Join("\n", output)}");
            using var json = JsonDocument.Parse(line[ResultPrefix.Length..]);
            long Get(string name) => json.RootElement.GetProperty(name).GetInt64();
            var calls = await fake.StopAsync();
            if (Get("count") != item.ExpectedCount)
                throw new BenchmarkBrokenException($"{item.Name}: {Get("count"):N0} results, expected {item.ExpectedCount:N0}:\n{string.Join("\n", output)}");
            var result = new Result(item.Label, item.PadBytes, item.Contacts, TimeSpan.FromMilliseconds(Get("ms")), Get("start"), Get("baseline"),
                Get("peak"), Get("end"), Get("count"), calls);
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] {item.Name}: peak working set {Benchmarks.Mb(result.PeakWorkingSet)} (baseline {Benchmarks.Mb(result.BaselineWorkingSet)}, "
                + $"pwsh started at {Benchmarks.Mb(result.StartWorkingSet)}), {result.Elapsed.TotalSeconds:0.0} s; calls: {string.Join(", ", calls.Select(c => $"{c.Value} {c.Key}"))}");
            return result;
        }
        finally
        {
            File.Delete(scriptPath);
        }
    }

    private static async Task SetKnobAsync(Uri baseUri, string name, long value)
    {
        using var http = new HttpClient();
        using var body = new StringContent($"{{\"{name}\":{value.ToString(CultureInfo.InvariantCulture)}}}", Encoding.UTF8, "application/json");
        using var answer = await http.PostAsync(new Uri(baseUri, "_fake/faults"), body);
        if (!answer.IsSuccessStatusCode)
            throw new BenchmarkBrokenException($"The fake refused the knob {name}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }

    /// <summary>The repository's pwsh (<c>dotnet tool run pwsh</c>, 7.6 from .config/dotnet-tools.json) on a script file; its stdout lines.</summary>
    private static async Task<List<string>> RunPwshAsync(string scriptPath, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = PowerShellSession.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "tool", "run", "pwsh", "-NoProfile", "-NonInteractive", "-File", scriptPath })
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new BenchmarkBrokenException("pwsh did not start.");
        var stderr = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
            lines.Add(line);
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new BenchmarkBrokenException($"pwsh exited with {process.ExitCode}:\n{string.Join("\n", lines)}\n{await stderr}");
        return lines;
    }

    private static string PwshVersion()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(PowerShellSession.RepositoryRoot, ".config", "dotnet-tools.json")));
        return json.RootElement.GetProperty("tools").GetProperty("powershell").GetProperty("version").GetString() ?? "?";
    }

    public static string ToMarkdown(IReadOnlyList<Result> results, int latencyMs, int? rateLimit) =>
        $"Fake latency {latencyMs} ms, {(rateLimit is int limit ? $"rate limit {limit:N0} per 10 s" : "no rate limit")}.\n\n"
        + "| Case | Answers | Time | pwsh at start | Baseline (module imported, connected) | **Peak working set** | Growth over baseline | Working set at the end |\n"
        + "|---|---|---|---|---|---|---|---|\n"
        + string.Join("\n", results.Select(r =>
            $"| {r.Label} | {Answers(r.Calls)} | {r.Elapsed.TotalSeconds:0.0} s | {Benchmarks.Mb(r.StartWorkingSet)} | {Benchmarks.Mb(r.BaselineWorkingSet)} "
            + $"| **{Benchmarks.Mb(r.PeakWorkingSet)}** | {Benchmarks.Mb(r.PeakWorkingSet - r.BaselineWorkingSet)} | {Benchmarks.Mb(r.EndWorkingSet)} |"));

    private static string Answers(IReadOnlyDictionary<string, int> calls) =>
        string.Join(", ", calls.Where(c => c.Value > 0).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Value:N0} {c.Key}"));
}
