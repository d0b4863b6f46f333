using Azure.Storage.Blobs;
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

    /// <summary>POST /run: answers with the finished run. Wall time measured here, around the whole request.</summary>
    public async Task<(JsonObject Run, TimeSpan Wall)> RunAsync(string configId, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var run = await PostAsync($"api/databricks/sync-configs/{Uri.EscapeDataString(configId)}/run", new { }, ct);
        clock.Stop();
        if ((string?)run["outcome"] is not ("succeeded" or "no_change"))
            throw new InvalidOperationException($"run of {configId} ended {run["outcome"]}: {run["error"] ?? run["message"]}");
        return (run, clock.Elapsed);
    }

    /// <summary>One scheduler tick, as the Functions host's timer would invoke it (POST /SyncTimer).</summary>
    public async Task<(TimeSpan Wall, string Summary)> TickAsync(CancellationToken ct = default)
    {
        var envelope = """{"Data":{"timer":{"IsPastDue":false}},"Metadata":{}}""";
        var clock = Stopwatch.StartNew();
        using var response = await _api.PostAsync("/SyncTimer", new StringContent(envelope, Encoding.UTF8, "application/json"), ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        clock.Stop();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"tick failed: HTTP {(int)response.StatusCode} {text}");
        var summary = JsonNode.Parse(text)?["Logs"]?.AsArray().Select(l => (string?)l).LastOrDefault(l => l?.Contains("tick:") == true) ?? text;
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

    public async Task<JsonObject> PostAsync(string path, object body, CancellationToken ct = default)
    {
        using var response = await _api.PostAsync(path, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"), ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: HTTP {(int)response.StatusCode} {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!.AsObject();
    }

    // ---- the app process ----

    /// <summary>A fresh app process (same settings as ./dbxsync up), so that its VmHWM belongs to one measurement.</summary>
    public async Task RestartAppAsync(CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo(Path.Combine(Root, "dbxsync"), "restart-app") { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0) throw new InvalidOperationException($"./dbxsync restart-app failed: {await stderr}");
        // The first authenticated request after a start pays for JIT and the Key Vault/token round trips; a health check
        // already ran, so do one cheap API call too, as a warm app would have.
        using var _ = await _api.GetAsync("api/databricks/sync-configs?page_size=1", ct);
    }

    public int AppPid => int.Parse(File.ReadAllText(Path.Combine(Root, ".dbxsync", "pids", "app.pid")).Trim(), CultureInfo.InvariantCulture);

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
