using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DbxSync.Core.Ports;
using Spectre.Console;

namespace DbxSync.Cli;

/// <summary>
/// ./dbxsync demo: one full labeling cycle on the local stack, printed step by step. It plays the data engineer
/// (creates a table and volumes, registers a principal, creates configs) and the labeling platform (reads the
/// export, labels it, drops the labeled CSV). Exit 0 only when the table ends fully labeled.
/// </summary>
public static class DemoCommand
{
    private const string Catalog = "demo";
    private const string Schema = "labeling";
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(180);

    public static async Task<int> ExecuteAsync(string[] args, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var rows = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 500;
        using var api = ApiClient.FromEnvironment();
        var workspace = DemoConnections.Workspace();
        var blobs = DemoConnections.Blobs();
        var warehouse = ApiClient.Env("DATABRICKS_WAREHOUSE_ID");
        var suffix = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var table = $"{Catalog}.{Schema}.items_{suffix}";

        Step("1. Workspace: a Delta table with unlabeled rows, and volumes");
        async Task Sql(string statement) => await Drain(await workspace.ExecuteAsync(statement, null, new StatementOptions { WarehouseId = warehouse }, cancellationToken), cancellationToken);
        await Sql($"CREATE CATALOG IF NOT EXISTS {Catalog}");
        await Sql($"CREATE SCHEMA IF NOT EXISTS {Catalog}.{Schema}");
        await Sql($"CREATE TABLE {table} (id BIGINT NOT NULL, text STRING, score DOUBLE, label STRING) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
        await InsertRowsAsync(Sql, table, 1, rows);
        foreach (var volume in new[] { "staging", "files", $"inbox_{suffix}" })
            await Sql($"CREATE VOLUME IF NOT EXISTS {Catalog}.{Schema}.{volume}");
        var filesRoot = $"/Volumes/{Catalog}/{Schema}/files/run_{suffix}";
        var sourceFiles = new Dictionary<string, byte[]>
        {
            ["readme.txt"] = Encoding.UTF8.GetBytes("files to label\n"),
            ["images/2026/cat-001.bin"] = RandomBytes(64 * 1024, 1),
            ["images/2026/dog-002.bin"] = RandomBytes(200 * 1024, 2),
        };
        foreach (var (path, bytes) in sourceFiles)
            await workspace.UploadFileAsync($"{filesRoot}/{path}", new MemoryStream(bytes), true, cancellationToken);
        Info($"table {table}: {rows} rows, label NULL; volume {filesRoot}: {sourceFiles.Count} files");

        // DBXSYNC_DEMO_AUTH=managed_identity runs the cycle as the app's managed identity (the connection ./dbxsync up
        // registered, signed in through IDENTITY_ENDPOINT); the default registers a Databricks OAuth principal.
        string principalId;
        if (Environment.GetEnvironmentVariable("DBXSYNC_DEMO_AUTH") == "managed_identity")
        {
            Step("2. DbxSync: use the app's managed identity (registered by ./dbxsync up) and create four sync configs");
            principalId = ApiClient.Env("DBXSYNC_MANAGED_IDENTITY_PRINCIPAL_ID");
            Info($"principal {principalId} (managed identity: no secret anywhere)");
        }
        else
        {
            Step("2. DbxSync: register the service principal (OAuth M2M) and four sync configs");
            var principal = await api.PostAsync("api/databricks/service-principals", new Dictionary<string, object?>
            {
                ["name"] = "demo principal",
                ["workspace_url"] = ApiClient.Env("DATABRICKS_HOST"),
                ["client_id"] = ApiClient.Env("DATABRICKS_CLIENT_ID"),
                ["client_secret"] = ApiClient.Env("DATABRICKS_CLIENT_SECRET"),
                ["warehouse_id"] = warehouse,
            }, cancellationToken);
            principalId = (string)principal["id"]!;
            Info($"principal {principalId} (secret stored in Key Vault, not returned)");
        }
        async Task<string> Config(string name, string type, string path, Dictionary<string, object?> extra)
        {
            var body = new Dictionary<string, object?> { ["name"] = name, ["config_type"] = type, ["databricks_path"] = path, ["service_principal_id"] = principalId, ["poll_interval_seconds"] = 10 };
            foreach (var (k, v) in extra) body[k] = v;
            var created = await api.PostAsync("api/databricks/sync-configs", body, cancellationToken);
            Info($"{type,-15} {created["id"]}  {path}");
            return (string)created["id"]!;
        }
        var exportId = await Config("items export", "table", table, new() { ["pk_column"] = "id", ["label_column"] = "label" });
        var importId = await Config("items labels", "table_reverse", table, new()
        {
            ["pk_column"] = "id", ["label_column"] = "label", ["use_staging"] = true, ["staging_volume_path"] = $"/Volumes/{Catalog}/{Schema}/staging",
        });
        var forwardId = await Config("files out", "volume_forward", filesRoot, new());
        var reverseId = await Config("files in", "volume_reverse", $"/Volumes/{Catalog}/{Schema}/inbox_{suffix}", new());

        var exported = 0;
        for (var cycle = 1; cycle <= 2; cycle++)
        {
            if (cycle == 2)
            {
                Step("5. New rows arrive: the next cycle exports only them");
                await InsertRowsAsync(Sql, table, rows + 1, rows / 5);
                Info($"inserted {rows / 5} rows (ids {rows + 1}-{rows + rows / 5})");
            }
            Step($"{(cycle == 1 ? 3 : 6)}. Waiting for the export (timer probe -> DESCRIBE HISTORY -> CSV)");
            var export = await WaitForAsync(async () =>
            {
                await foreach (var b in blobs.ListAsync("exports", exportId + "/", cancellationToken))
                    if (b.Name.EndsWith(".csv", StringComparison.Ordinal) && !await IsLabeledAlreadyAsync(blobs, importId, b.Name, cancellationToken))
                        return b;
                return null;
            }, "an export CSV", cancellationToken);
            await using var csv = await blobs.OpenReadAsync("exports", export.Name, cancellationToken);
            var (labeled, count) = DemoLabeler.Label(csv, "text", "label");
            exported += count;
            Info($"exports/{export.Name}: {count} unlabeled rows ({export.Length:N0} bytes)");
            var expected = cycle == 1 ? rows : rows / 5;
            if (count != expected) return Fail($"expected {expected} rows in the export, got {count}");

            Step($"{(cycle == 1 ? 4 : 7)}. Labeling platform: label the rows and drop the CSV into labeled/");
            var labeledName = $"{importId}/{Path.GetFileNameWithoutExtension(export.Name)}.labeled.csv";
            await blobs.UploadAsync("labeled", labeledName, new MemoryStream(labeled), new BlobWriteOptions { ContentType = "text/csv" }, cancellationToken);
            Info($"labeled/{labeledName}: {count} rows labeled by the stand-in labeler");
            var outcome = await WaitForAsync(async () =>
            {
                if (await blobs.GetPropertiesAsync("processed", labeledName, cancellationToken) is not null) return "processed";
                if (await blobs.GetPropertiesAsync("failed", labeledName, cancellationToken) is not null) return "failed";
                return null;
            }, "the import", cancellationToken);
            if (outcome == "failed") return Fail($"the labeled file was rejected: see failed/{labeledName}.errors.json");
            var runs = await api.GetAsync($"api/databricks/sync-configs/{importId}/runs?page_size=1", cancellationToken);
            var run = runs["items"]!.AsArray().FirstOrDefault()?.AsObject();
            Info($"MERGE done: {run?["updated_rows"]} rows updated, {run?["inserted_rows"]} inserted; file moved to processed/{labeledName}");
        }

        Step("8. Volumes: forward files reached blob storage; a dropped blob reaches the volume");
        foreach (var (path, bytes) in sourceFiles)
        {
            var blob = await WaitForAsync(() => blobs.GetPropertiesAsync("volumes", $"{forwardId}/{path}", cancellationToken), $"volumes/{forwardId}/{path}", cancellationToken);
            if (blob.Length != bytes.Length) return Fail($"volumes/{forwardId}/{path} has {blob.Length} bytes, expected {bytes.Length}");
            Info($"volumes/{forwardId}/{path} ({blob.Length:N0} bytes)");
        }
        var inbound = Encoding.UTF8.GetBytes("labels summary\n");
        await blobs.UploadAsync("volumes", $"{reverseId}/incoming/summary.txt", new MemoryStream(inbound), null, cancellationToken);
        var landed = await WaitForAsync(() => workspace.GetFileMetadataAsync($"/Volumes/{Catalog}/{Schema}/inbox_{suffix}/incoming/summary.txt", cancellationToken), "the file in the volume", cancellationToken);
        Info($"/Volumes/{Catalog}/{Schema}/inbox_{suffix}/incoming/summary.txt ({landed.Length} bytes)");

        Step("9. The labeled table");
        var unlabeled = await ScalarAsync(workspace, $"SELECT COUNT(*) FROM {table} WHERE label IS NULL", warehouse, cancellationToken);
        var total = await ScalarAsync(workspace, $"SELECT COUNT(*) FROM {table}", warehouse, cancellationToken);
        var sample = await workspace.ExecuteAsync($"SELECT id, text, label FROM {table} ORDER BY id LIMIT 8", null, new StatementOptions { WarehouseId = warehouse }, cancellationToken);
        var grid = new Table().AddColumns("id", "text", "label");
        await foreach (var r in sample.ReadRowsAsync(cancellationToken)) grid.AddRow(Markup.Escape(r[0] ?? ""), Markup.Escape(r[1] ?? ""), Markup.Escape(r[2] ?? "NULL"));
        AnsiConsole.Write(grid);
        Info($"{total} rows, {unlabeled} unlabeled, {exported} exported in 2 cycles, {clock.Elapsed.TotalSeconds:F1} s");
        if (unlabeled != "0") return Fail($"{unlabeled} rows are still unlabeled");
        AnsiConsole.MarkupLine("[green bold]Demo complete: the table is fully labeled.[/]");
        return 0;
    }

    private static async Task InsertRowsAsync(Func<string, Task> sql, string table, int firstId, int count)
    {
        string[] words = ["a photo of a cat", "a dog in the park", "a bird on a wire", "a fish tank", "a red car"];
        for (var start = firstId; start < firstId + count; start += 500)
        {
            var values = Enumerable.Range(start, Math.Min(500, firstId + count - start))
                .Select(i => string.Create(CultureInfo.InvariantCulture, $"({i}, '{words[i % words.Length]} #{i}', {i % 100 / 10.0}, NULL)"));
            await sql($"INSERT INTO {table} (id, text, score, label) VALUES {string.Join(", ", values)}");
        }
    }

    private static async Task<bool> IsLabeledAlreadyAsync(IBlobStore blobs, string importId, string exportName, CancellationToken cancellationToken)
        => await blobs.GetPropertiesAsync("processed", $"{importId}/{Path.GetFileNameWithoutExtension(exportName)}.labeled.csv", cancellationToken) is not null;

    internal static async Task<string?> ScalarAsync(IDatabricksWorkspace workspace, string sql, string warehouse, CancellationToken cancellationToken)
    {
        var result = await workspace.ExecuteAsync(sql, null, new StatementOptions { WarehouseId = warehouse }, cancellationToken);
        await foreach (var row in result.ReadRowsAsync(cancellationToken)) return row[0];
        return null;
    }

    internal static async Task Drain(IStatementResult result, CancellationToken cancellationToken)
    {
        await foreach (var _ in result.ReadRowsAsync(cancellationToken)) { }
    }

    internal static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what, CancellationToken cancellationToken) where T : class
    {
        var clock = Stopwatch.StartNew();
        await AnsiConsole.Status().StartAsync($"waiting for {what}…", async _ =>
        {
            while (clock.Elapsed < StepTimeout && await probe() is null) await Task.Delay(500, cancellationToken);
        });
        return await probe() ?? throw new TimeoutException($"gave up waiting for {what} after {StepTimeout.TotalSeconds:F0} s (see .dbxsync/logs/app.log)");
    }

    internal static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    internal static void Step(string title) => AnsiConsole.Write(new Rule($"[bold]{Markup.Escape(title)}[/]").LeftJustified());
    internal static void Info(string text) => AnsiConsole.MarkupLine($"  {Markup.Escape(text)}");
    internal static int Fail(string why) { AnsiConsole.MarkupLine($"[red bold]Demo failed: {Markup.Escape(why)}[/]"); return 1; }
}
