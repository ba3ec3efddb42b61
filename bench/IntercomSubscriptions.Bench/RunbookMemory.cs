using System.Diagnostics;
using System.Management.Automation;
using FakeIntercom;
using IntercomSubscriptions.Tests;

namespace IntercomSubscriptions.Bench;

/// <summary>
/// The runbook case of issue 12: peak working set (what Azure Automation's 400 MB sandbox limit
/// counts) of a -Summary run of 1,000,000 rows by id and 200,000 rows by email, rows made one by one
/// in the pipeline as Import-Csv makes them. Run by hand: <c>--runbook-memory</c>.
/// The fake Intercom runs in this same process, so the figures include its state (every contact and
/// its choices); the baseline, taken after the fake is filled, shows how much of it is the fake's.
/// </summary>
internal sealed class RunbookMemory(TextWriter log)
{
    private const string ById =
        "1..$n | ForEach-Object { [pscustomobject]@{ contact_id = \"c$_\" } } | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -ErrorAction SilentlyContinue";
    private const string ByEmail =
        "1..$n | ForEach-Object { [pscustomobject]@{ email = \"c$_@example.com\" } } | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary -ErrorAction SilentlyContinue";

    public sealed record Result(string Label, int Rows, TimeSpan Elapsed, long BaselineWorkingSet, long PeakWorkingSet, long PeakSampledWorkingSet, string Summary);

    public async Task<IReadOnlyList<Result>> RunAsync(int idRows, int emailRows)
    {
        var results = new List<Result>();
        if (idRows > 0) results.Add(await MeasureAsync("by id", ById, idRows, withEmail: false));
        if (emailRows > 0) results.Add(await MeasureAsync("by email", ByEmail, emailRows, withEmail: true));
        return results;
    }

    private async Task<Result> MeasureAsync(string label, string script, int rows, bool withEmail)
    {
        await using var server = await FakeIntercomServer.StartAsync(new FakeIntercomOptions { RecordRequests = false });
        for (var i = 1; i <= rows; i++)
        {
            server.State.AddContact("c" + i, withEmail ? $"c{i}@example.com" : null);
            // An opt_out choice in a string of its own: each attach replaces it with an "opt_in" no
            // larger, so the fake's state does not grow during the run and count against the module.
            server.State.SetChoice("c" + i, "108", new string("opt_out".AsSpan()));
        }
        using var session = new PowerShellSession();
        session.Connect(server);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] {label}: {rows:N0} rows, baseline working set {Benchmarks.Mb(baseline)} (fake filled, module imported) ...");

        long sampledPeak = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var self = Process.GetCurrentProcess();
            while (!stop.IsCancellationRequested)
            {
                self.Refresh();
                sampledPeak = Math.Max(sampledPeak, self.WorkingSet64);
                try { await Task.Delay(50, stop.Token); } catch (OperationCanceledException) { }
            }
        });
        var clock = Stopwatch.StartNew();
        var result = session.Run(script, new() { ["n"] = rows });
        clock.Stop();
        stop.Cancel();
        await sampler;
        process.Refresh();

        var summary = result.Output.Count == 1 ? result.Output[0] : throw new BenchmarkBrokenException($"{label}: expected one summary, got {result.Output.Count} objects.");
        var succeeded = (long)summary.Properties["Succeeded"].Value;
        if (succeeded != rows)
            throw new BenchmarkBrokenException($"{label}: {succeeded:N0} of {rows:N0} rows succeeded ({summary}).");
        var measured = new Result(label, rows, clock.Elapsed, baseline, process.PeakWorkingSet64, sampledPeak, summary.ToString());
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] {label}: {rows / clock.Elapsed.TotalSeconds:N0} rows/s, peak working set {Benchmarks.Mb(measured.PeakWorkingSet)} "
            + $"(sampled {Benchmarks.Mb(sampledPeak)}), baseline {Benchmarks.Mb(baseline)}. {summary}");
        return measured;
    }

    public static string ToMarkdown(IReadOnlyList<Result> results) =>
        "| Run (-Summary) | Rows | Time | Baseline working set | Peak working set (sampled every 50 ms) | Process peak (PeakWorkingSet64) |\n|---|---|---|---|---|---|\n"
        + string.Join("\n", results.Select(r =>
            $"| {r.Label} | {r.Rows:N0} | {r.Elapsed.TotalSeconds:0} s ({r.Rows / r.Elapsed.TotalSeconds:N0} rows/s) | {Benchmarks.Mb(r.BaselineWorkingSet)} | {Benchmarks.Mb(r.PeakSampledWorkingSet)} | {Benchmarks.Mb(r.PeakWorkingSet)} |"));
}
