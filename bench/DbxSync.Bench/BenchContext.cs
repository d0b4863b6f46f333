using Azure.Storage.Blobs;
using DbxSync.Core.Runs;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DbxSync.Azure.Adapters;
using DbxSync.Core.Ports;
using DbxSync.Databricks;
using DbxSync.Databricks.Adapters;
using Spectre.Console;

namespace DbxSync.Bench;

/// <summary>
/// Everything a scenario needs: the app's API, the bench's own connections to the workspace and storage (it plays the
/// data engineer and the labeling platform), and control of the app process (restart for a per-scenario peak).
/// </summary>
public sealed class BenchContext : IDisposable
{
    public const string Catalog = "bench";
    public const string Schema = "s";

    private readonly HttpClient _api;
    private string? _principalId;

    public BenchContext()
    {
        Root = Environment.GetEnvironmentVariable("DBXSYNC_ROOT") is { Length: > 0 } r ? r : Directory.GetCurrentDirectory();
        _api = new HttpClient { BaseAddress = new Uri(Env("DBXSYNC_API_URL")), Timeout = Timeout.InfiniteTimeSpan };
        _api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Env("DBXSYNC_API_TOKEN"));
        var connector = new DatabricksConnector(DatabricksClientOptions.FromEnvironment());
        Workspace = connector.Connect(new WorkspaceCredentials(Env("DATABRICKS_HOST"), WorkspaceAuthType.PersonalAccessToken, null, Env("DATABRICKS_TOKEN"), "bench"));
        Blobs = new BlobStore(new BlobServiceClient(Env("AZURE_STORAGE_CONNECTION_STRING")));
        WarehouseId = Env("DATABRICKS_WAREHOUSE_ID");
        Raw = new RawStatements(Env("DATABRICKS_HOST"), Env("DATABRICKS_TOKEN"), WarehouseId);
        Suffix = DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);
    }

    public string Root { get; }
    public IDatabricksWorkspace Workspace { get; }
    public IBlobStore Blobs { get; }
    public RawStatements Raw { get; }
    public string WarehouseId { get; }
    /// <summary>Makes this run's tables, volumes and configs unique, so runs never see each other's state.</summary>
    public string Suffix { get; }

    public static string Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
        ? v : throw new InvalidOperationException($"{name} is not set: run the bench with ./dbxsync bench (it reads .dbxsync/local.env)");

    public string EmulatorVolumeDirectory(string volume) => Path.Combine(Root, ".dbxsync", "emulator", "volumes", Catalog, Schema, volume);

    // ---- workspace (as the data engineer) ----

    public async Task SqlAsync(string statement, CancellationToken ct = default)
    {
        var result = await Workspace.ExecuteAsync(statement, null, new StatementOptions { WarehouseId = WarehouseId }, ct);
        await foreach (var _ in result.ReadRowsAsync(ct)) { }
    }

    public async Task<string?> ScalarAsync(string statement, CancellationToken ct = default)
    {
        var result = await Workspace.ExecuteAsync(statement, null, new StatementOptions { WarehouseId = WarehouseId }, ct);
        string? value = null;
        await foreach (var row in result.ReadRowsAsync(ct)) value ??= row[0];
        return value;
    }

    public async Task EnsureSchemaAsync(CancellationToken ct = default)
    {
        await SqlAsync($"CREATE CATALOG IF NOT EXISTS {Catalog}", ct);
        await SqlAsync($"CREATE SCHEMA IF NOT EXISTS {Catalog}.{Schema}", ct);
    }

    /// <summary>The 8-column table of the export and import scenarios, filled in the engine with range(): odd ids labeled when labeledHalf.</summary>
    public async Task CreateItemsTableAsync(string table, long rows, bool labeledHalf, CancellationToken ct = default)
    {
        await SqlAsync($"CREATE TABLE {table} (id BIGINT NOT NULL, text STRING, category STRING, score DOUBLE, quantity INT, flagged BOOLEAN, region STRING, label STRING) " +
                       "TBLPROPERTIES (delta.enableChangeDataFeed = true)", ct);
        var label = labeledHalf ? "CASE WHEN id % 2 = 0 THEN NULL ELSE concat('label', id % 5) END" : "CAST(NULL AS STRING)";
        await SqlAsync($"INSERT INTO {table} SELECT id, concat('item text number ', id), concat('category', id % 20), (id % 1000) / 10.0, " +
                       $"CAST(id % 500 AS INT), id % 3 = 0, CASE WHEN id % 4 = 0 THEN 'north' ELSE 'south' END, {label} FROM range(1, {rows + 1})", ct);
    }

    // ---- the app's API ----

    public async Task<string> PrincipalAsync(CancellationToken ct = default)
    {
        if (_principalId is not null) return _principalId;
        var principal = await PostAsync("api/databricks/service-principals", new Dictionary<string, object?>
        {
            ["name"] = $"bench {Suffix}",
            ["workspace_url"] = Env("DATABRICKS_HOST"),
            ["client_id"] = Env("DATABRICKS_CLIENT_ID"),
            ["client_secret"] = Env("DATABRICKS_CLIENT_SECRET"),
            ["warehouse_id"] = WarehouseId,
        }, ct);
        return _principalId = (string)principal["id"]!;
    }

    public async Task<string> CreateConfigAsync(string name, string type, string path, Dictionary<string, object?>? extra = null, CancellationToken ct = default)
    {
        var body = new Dictionary<string, object?>
        {
            ["name"] = name, ["config_type"] = type, ["databricks_path"] = path,
            ["service_principal_id"] = await PrincipalAsync(ct), ["poll_interval_seconds"] = 10,
        };
        foreach (var (k, v) in extra ?? []) body[k] = v;
        var created = await PostAsync("api/databricks/sync-configs", body, ct);
        return (string)created["id"]!;
    }

    /// <summary>POST /run (202 + Location), then the run polled until it ends. Wall time measured around both.</summary>
    public async Task<(JsonObject Run, TimeSpan Wall)> RunAsync(string configId, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        using var response = await _api.PostAsync($"api/databricks/sync-configs/{Uri.EscapeDataString(configId)}/run", null, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST run of {configId}: HTTP {(int)response.StatusCode} {text}");
        var run = JsonNode.Parse(text)!.AsObject();
        while ((string?)run["outcome"] is "queued" or "running")
        {
            // The wall is known to the poll's resolution: fine while a run may still be short (a small incremental
            // export ends in ~0.2 s, where 100 ms polls would add up to half of it), coarse after, not to load the app.
            await Task.Delay(clock.Elapsed < TimeSpan.FromSeconds(1) ? 20 : 100, ct);
            using var poll = await _api.GetAsync(response.Headers.Location, ct);
            run = JsonNode.Parse(await poll.Content.ReadAsStringAsync(ct))!.AsObject();
        }
        clock.Stop();
        // partial: stopped at its time limit with work done, and due again (only with a low DbxSync__Runs__TimeLimit).
        if ((string?)run["outcome"] is not ("succeeded" or "no_change" or "partial"))
            throw new InvalidOperationException($"run of {configId} ended {run["outcome"]}: {run["error"] ?? run["message"]}");
        return (run, clock.Elapsed);
    }

    /// <summary>
    /// The run a blob event started for <paramref name="subject"/> (a blob name in its container), waited for until it
    /// is recorded as finished. Wall time is measured from the call, which the caller makes right after the blob is committed.
    /// </summary>
    public async Task<(JsonObject Run, TimeSpan Wall)> WaitForTriggeredRunAsync(string configId, string subject, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await _api.GetAsync($"api/databricks/sync-configs/{Uri.EscapeDataString(configId)}/runs?page_size=20", ct);
            response.EnsureSuccessStatusCode();
            var items = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["items"]!.AsArray();
            var run = items.Select(i => i!.AsObject()).FirstOrDefault(r => (string?)r["subject"] == subject && (string?)r["outcome"] is not ("queued" or "running"));
            if (run is not null)
            {
                clock.Stop();
                if ((string?)run["outcome"] != "succeeded")
                    throw new InvalidOperationException($"the triggered run of {configId} ended {run["outcome"]}: {run["error"] ?? run["message"]}");
                return (run, clock.Elapsed);
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(30)) throw new TimeoutException($"no finished run of {configId} for {subject} within 30 minutes");
            await Task.Delay(200, ct);
        }
    }

    /// <summary>
    /// One tick's worth of runs: a sync-runs message per config, enqueued exactly as SyncTimer enqueues the due ones,
    /// then the time until RunSync has judged every one (the runner's "Run ... config {id}: {outcome}" log line).
    /// The local host's timer fires on its schedule only, so the bench enqueues what a tick would.
    /// </summary>
    public async Task<(TimeSpan Wall, string Summary)> TickAsync(IReadOnlyCollection<string> configIds, CancellationToken ct = default)
    {
        var log = Path.Combine(Root, ".dbxsync", "logs", "app.log");
        var offset = new FileInfo(log).Length;
        var queue = new global::Azure.Storage.Queues.QueueClient(Env("AZURE_STORAGE_CONNECTION_STRING"), DbxSync.Functions.Hosting.StorageRunQueue.Name,
            new global::Azure.Storage.Queues.QueueClientOptions { MessageEncoding = global::Azure.Storage.Queues.QueueMessageEncoding.Base64 });
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(configIds, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (id, c) =>
            await queue.SendMessageAsync(DbxSync.Functions.Hosting.RunQueueMessage.Format(new QueuedRun(id, RunTrigger.Timer, SyncRunRepository.NewRunId(DateTimeOffset.UtcNow))), c));
        var wanted = configIds.ToHashSet();
        var outcomes = new Dictionary<string, string>();
        var pattern = new System.Text.RegularExpressions.Regex(@"config (?<id>[0-9a-f-]{36}): (?<outcome>\w+)");
        while (outcomes.Count < wanted.Count)
        {
            await Task.Delay(100, ct);
            using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(offset, SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(ct) is { } line)
                if (line.Contains("Run ", StringComparison.Ordinal) && pattern.Match(line) is { Success: true } m && wanted.Contains(m.Groups["id"].Value))
                    outcomes[m.Groups["id"].Value] = m.Groups["outcome"].Value;
            if (clock.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"only {outcomes.Count} of {configIds.Count} runs were judged in 10 minutes");
        }
        clock.Stop();
        var summary = string.Join(", ", outcomes.Values.GroupBy(o => o).Select(g => $"{g.Count()} {(g.Key == "NoChange" ? "unchanged" : g.Key.ToLowerInvariant())}"));
        return (clock.Elapsed, summary);
    }

    /// <summary>Pauses every active config not in <paramref name="keep"/> (earlier scenarios', earlier runs'): a tick must see only the probe's.</summary>
    public async Task<int> PauseOthersAsync(IReadOnlySet<string> keep, CancellationToken ct = default)
    {
        using var response = await _api.GetAsync("api/databricks/sync-configs", ct);
        response.EnsureSuccessStatusCode();
        var items = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["items"]!.AsArray();
        var active = items.Select(i => i!.AsObject()).Where(i => (string?)i["status"] == "active" && !keep.Contains((string)i["id"]!)).Select(i => (string)i["id"]!).ToList();
        await Parallel.ForEachAsync(active, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (id, c) => await PostAsync($"api/databricks/sync-configs/{Uri.EscapeDataString(id)}/pause", new { }, c));
        return active.Count;
    }

    public async Task<JsonObject> GetAsync(string path, CancellationToken ct = default)
    {
        using var response = await _api.GetAsync(path, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path}: HTTP {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Statements the emulator's warehouse executed so far (its admin stats, loopback only).</summary>
    public async Task<long> EmulatorStatementsAsync(CancellationToken ct = default)
    {
        using var client = new HttpClient { BaseAddress = new Uri(Env("DATABRICKS_HOST")) };
        return (long)JsonNode.Parse(await client.GetStringAsync("emulator/stats", ct))!["statements_executed"]!;
    }

    public async Task<JsonObject> PostAsync(string path, object body, CancellationToken ct = default)
    {
        using var response = await _api.PostAsync(path, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"), ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: HTTP {(int)response.StatusCode} {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!.AsObject();
    }

    // ---- the app process ----

    /// <summary>A fresh app process (same settings as ./dbxsync up), so that its VmHWM belongs to one measurement.</summary>
    /// <param name="settings">App settings for this process only (environment variables the app reads, e.g. DbxSync__Runs__TimeLimit).</param>
    public async Task RestartAppAsync(CancellationToken ct = default, IReadOnlyDictionary<string, string>? settings = null)
    {
        var psi = new ProcessStartInfo(Path.Combine(Root, "dbxsync"), "restart-app") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var (name, value) in settings ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0) throw new InvalidOperationException($"./dbxsync restart-app failed: {await stderr}");
        // The first authenticated request after a start pays for JIT and the Key Vault/token round trips; a health check
        // already ran, so do one cheap API call too, as a warm app would have.
        using var _ = await _api.GetAsync("api/databricks/sync-configs?page_size=1", ct);
    }

    /// <summary>The worker process (the app), as the local Functions host reports it.</summary>
    public int AppPid
    {
        get
        {
            var status = JsonNode.Parse(_api.GetStringAsync("admin/host/status").GetAwaiter().GetResult())!;
            return (int?)status["workerProcessId"] ?? throw new InvalidOperationException("the local Functions host runs no worker");
        }
    }

    /// <summary>VmHWM (peak resident set, the Linux working set) and VmRSS of the app, in bytes.</summary>
    public (long Peak, long Current) AppMemory()
    {
        long peak = 0, current = 0;
        foreach (var line in File.ReadLines($"/proc/{AppPid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kb(line);
            else if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) current = Kb(line);
        }
        return (peak, current);
        static long Kb(string line) => long.Parse(line.Split(':', 2)[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    public static void Step(string text) => AnsiConsole.MarkupLine($"[grey]{DateTime.Now:HH:mm:ss}[/] {Markup.Escape(text)}");

    public void Dispose()
    {
        _api.Dispose();
        Raw.Dispose();
    }
}
