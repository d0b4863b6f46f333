using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Storage.Queues;
using DbxSync.Testing;

// dotnet run -c Release --project bench/DbxSync.FunctionsHost.Bench [-- --requests 1000 --messages 2000 --out bench/results --host-log FILE]
// Runs the fixture app under the local Functions host on Azurite (started here unless
// DBXSYNC_TEST_STORAGE_CONNECTION_STRING is set) and measures what the host adds.
var requests = 1000;
var messages = 2000;
string? outDir = null, hostLog = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--requests": requests = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--messages": messages = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--out": outDir = args[++i]; break;
        case "--host-log": hostLog = args[++i]; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

outDir ??= RepoPaths.Combine("bench", "results");
var storage = AzuriteInstance.Shared.ConnectionString;
var noOpQueue = AzuriteInstance.UniqueName("benchnoop");
var queue = new QueueClient(storage, noOpQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
await queue.CreateAsync();
// Filled before the host starts, so the drain below measures the trigger alone, not the enqueueing.
await Parallel.ForEachAsync(Enumerable.Range(0, messages), new ParallelOptions { MaxDegreeOfParallelism = 16 },
    async (n, ct) => await queue.SendMessageAsync("m" + n.ToString(CultureInfo.InvariantCulture), ct));

await using var host = await FunctionsHostInstance.StartAsync(
    FunctionsHostInstance.ProjectOutput("tests/DbxSync.FunctionsHost.FixtureApp"),
    new Dictionary<string, string>
    {
        ["AzureWebJobsStorage"] = storage,
        ["FIXTURE_QUEUE"] = AzuriteInstance.UniqueName("benchq"),
        ["FIXTURE_NOOP_QUEUE"] = noOpQueue,
        ["FIXTURE_HOLD_QUEUE"] = AzuriteInstance.UniqueName("benchh"),
        ["FIXTURE_JOURNAL_QUEUE"] = AzuriteInstance.UniqueName("benchj"),
        ["FIXTURE_TIMER_SCHEDULE"] = "0 0 0 1 1 *",
        ["AzureFunctionsWebHost__hostid"] = AzuriteInstance.UniqueName("benchhost"),
        // The worker's own request logging would dominate a no-op's latency; hosts in Azure log at Information too, but
        // the bench measures the host's path, not console output.
        ["Logging__LogLevel__Default"] = "Warning",
    },
    ["--blob-scan-seconds", "3600"]);
var drain = Stopwatch.StartNew();
while ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
    await Task.Delay(50);
drain.Stop();
var perSecond = messages / drain.Elapsed.TotalSeconds;
Console.WriteLine($"queue: {messages} no-op invocations in {drain.Elapsed.TotalSeconds:F2} s = {perSecond:F0}/s");

var status = await host.GetStatusAsync();
var workerUri = new Uri(status.WorkerHttpUri ?? throw new InvalidOperationException("the worker reported no HttpUri"));
using var client = new HttpClient();
// Through the host: routing, key check, the gRPC InvocationRequest, the YARP hop and the function itself.
var viaHost = await TimeAsync(client, new Uri(host.BaseUrl, "fx/Ping"), requests, expectSuccess: true);
// Straight to the worker's Kestrel on the same path, without the pairing: its HTTP stack answers (500, no invocation id)
// without running a function, so the difference is the host's hop plus the whole invocation. An upper bound of the host's share.
var direct = await TimeAsync(client, new Uri(workerUri, "fx/Ping"), requests, expectSuccess: false);

var p50Extra = Percentile(viaHost, 50) - Percentile(direct, 50);
var p99Extra = Percentile(viaHost, 99) - Percentile(direct, 99);
Console.WriteLine($"http via host: p50 {Percentile(viaHost, 50):F2} ms, p99 {Percentile(viaHost, 99):F2} ms");
Console.WriteLine($"http direct:   p50 {Percentile(direct, 50):F2} ms, p99 {Percentile(direct, 99):F2} ms");
Console.WriteLine($"extra:         p50 {p50Extra:F2} ms, p99 {p99Extra:F2} ms (target p50 < 2 ms: {(p50Extra < 2 ? "met" : "MISSED")})");

Directory.CreateDirectory(outDir);
var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
var machine = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, load average {load}";
var markdown = new StringBuilder()
    .AppendLine("# Local Functions host")
    .AppendLine()
    .AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet run -c Release --project bench/DbxSync.FunctionsHost.Bench -- --requests {requests} --messages {messages}`  ")
    .AppendLine(CultureInfo.InvariantCulture, $"Run: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {machine} (shared machine, others building).")
    .AppendLine()
    .AppendLine("| measure | p50 | p99 |")
    .AppendLine("|---|---|---|")
    .AppendLine(CultureInfo.InvariantCulture, $"| GET through the host (`/fx/Ping`, a no-op function), {requests} sequential | {Percentile(viaHost, 50):F2} ms | {Percentile(viaHost, 99):F2} ms |")
    .AppendLine(CultureInfo.InvariantCulture, $"| GET to the worker's own endpoint, same path, no pairing | {Percentile(direct, 50):F2} ms | {Percentile(direct, 99):F2} ms |")
    .AppendLine(CultureInfo.InvariantCulture, $"| **extra through the host** (target p50 < 2 ms: {(p50Extra < 2 ? "met" : "MISSED")}) | **{p50Extra:F2} ms** | {p99Extra:F2} ms |")
    .AppendLine()
    .AppendLine(CultureInfo.InvariantCulture, $"Queue trigger: {messages} messages drained by a no-op function in {drain.Elapsed.TotalSeconds:F2} s = **{perSecond:F0} invocations/s** (fixture host.json: batchSize 8, newBatchThreshold 4; Azurite in memory).")
    .AppendLine()
    .AppendLine("The direct call does not run the function (without the host's InvocationRequest the worker answers 500 at once), so " +
                "the extra includes the function invocation itself: an upper bound of what the host adds.");
await File.WriteAllTextAsync(Path.Combine(outDir, "functions-host.md"), markdown.ToString());
Console.WriteLine($"results in {Path.Combine(outDir, "functions-host.md")}");
if (hostLog is not null)
    await File.WriteAllLinesAsync(hostLog, host.Output);
return 0;

static async Task<double[]> TimeAsync(HttpClient client, Uri uri, int count, bool expectSuccess)
{
    for (var i = 0; i < 50; i++)
        (await client.GetAsync(uri)).Dispose();
    var times = new double[count];
    for (var i = 0; i < count; i++)
    {
        var watch = Stopwatch.StartNew();
        using var response = await client.GetAsync(uri);
        await response.Content.ReadAsByteArrayAsync();
        watch.Stop();
        if (response.IsSuccessStatusCode != expectSuccess)
            throw new InvalidOperationException($"{uri} answered {(int)response.StatusCode}");
        times[i] = watch.Elapsed.TotalMilliseconds;
    }

    return times;
}

static double Percentile(double[] values, int percentile)
{
    var sorted = values.Order().ToArray();
    return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
