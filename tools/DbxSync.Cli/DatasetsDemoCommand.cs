using System.Globalization;
using System.Text;
using System.Text.Json;
using DbxSync.Core.Ports;
using DbxSync.Core.Syncs.LabeledImport;
using Spectre.Console;
using static DbxSync.Cli.DemoCommand;

namespace DbxSync.Cli;

/// <summary>
/// ./dbxsync demo-datasets: one datasets round on the local stack (README "Datasets"). Volume images go out as inputs
/// (inputs table + Clarifai manifest with SAS URLs); a stand-in labeling platform downloads them by URL and sends
/// JSON Lines annotations back; a second round edits one, deletes one and re-delivers an older edit, which must not
/// win. Exit 0 only when both tables end as expected.
/// </summary>
public static class DatasetsDemoCommand
{
    private const string Catalog = "demo";
    private const string Schema = "datasets";

    public static async Task<int> ExecuteAsync(CancellationToken cancellationToken)
    {
        using var api = ApiClient.FromEnvironment();
        var workspace = DemoConnections.Workspace();
        var blobs = DemoConnections.Blobs();
        var warehouse = ApiClient.Env("DATABRICKS_WAREHOUSE_ID");
        var suffix = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var inputsTable = $"{Catalog}.{Schema}.inputs_{suffix}";
        var annotationsTable = $"{Catalog}.{Schema}.annotations_{suffix}";
        async Task Sql(string statement)
        {
            var result = await workspace.ExecuteAsync(statement, null, new StatementOptions { WarehouseId = warehouse }, cancellationToken);
            await foreach (var _ in result.ReadRowsAsync(cancellationToken)) { }
        }

        Step("1. Workspace: a volume of images");
        await Sql($"CREATE CATALOG IF NOT EXISTS {Catalog}");
        await Sql($"CREATE SCHEMA IF NOT EXISTS {Catalog}.{Schema}");
        await Sql($"CREATE VOLUME IF NOT EXISTS {Catalog}.{Schema}.images");
        var root = $"/Volumes/{Catalog}/{Schema}/images/run_{suffix}";
        string[] images = ["cats/c1.jpg", "cats/c2.jpg", "dogs/d1.png"];
        for (var i = 0; i < images.Length; i++)
            await workspace.UploadFileAsync($"{root}/{images[i]}", new MemoryStream(RandomBytes(8 * 1024 + i, i)), true, cancellationToken);
        Info($"{images.Length} images under {root}");

        Step("2. DbxSync: a volume_forward config recording inputs, and an annotations_reverse config");
        var principal = await api.PostAsync("api/databricks/service-principals", new Dictionary<string, object?>
        {
            ["name"] = "datasets demo principal", ["workspace_url"] = ApiClient.Env("DATABRICKS_HOST"),
            ["client_id"] = ApiClient.Env("DATABRICKS_CLIENT_ID"), ["client_secret"] = ApiClient.Env("DATABRICKS_CLIENT_SECRET"), ["warehouse_id"] = warehouse,
        }, cancellationToken);
        var principalId = (string)principal["id"]!;
        var forward = await api.PostAsync("api/databricks/sync-configs", new Dictionary<string, object?>
        {
            ["name"] = "images out", ["config_type"] = "volume_forward", ["databricks_path"] = root, ["service_principal_id"] = principalId,
            ["poll_interval_seconds"] = 10, ["inputs_table"] = inputsTable, ["inputs_manifest"] = true, ["inputs_url_expiry_hours"] = 24,
        }, cancellationToken);
        var forwardId = (string)forward["id"]!;
        var reverse = await api.PostAsync("api/databricks/sync-configs", new Dictionary<string, object?>
        {
            ["name"] = "annotations back", ["config_type"] = "annotations_reverse", ["service_principal_id"] = principalId,
            ["poll_interval_seconds"] = 10, ["inputs_table"] = inputsTable, ["annotations_table"] = annotationsTable,
        }, cancellationToken);
        var reverseId = (string)reverse["id"]!;
        Info($"volume_forward      {forwardId} -> {inputsTable}");
        Info($"annotations_reverse {reverseId} -> {annotationsTable}");

        Step("3. Waiting for the input manifest (timer -> copy -> inputs MERGE -> manifest with SAS URLs)");
        var manifest = await WaitForAsync(async () =>
        {
            await foreach (var b in blobs.ListAsync("exports", $"{forwardId}/inputs/", cancellationToken)) return b;
            return null;
        }, "the input manifest", cancellationToken);
        var lines = new List<string[]>();
        // The labeled-file reader: the same CsvHelper RFC 4180 rules the manifest was written with.
        await using (var csv = LabeledFile.Open(await blobs.OpenReadAsync("exports", manifest.Name, cancellationToken)))
            while (await csv.ReadAsync(cancellationToken) is { } record) lines.Add(record);
        var inputs = lines.Skip(1).ToList();
        Info($"exports/{manifest.Name}: {inputs.Count} inputs");
        using var http = new HttpClient();
        foreach (var input in inputs)
        {
            // The stand-in platform downloads each input by its URL, as a URL-importing platform would.
            var bytes = await http.GetByteArrayAsync(input[1], cancellationToken);
            Info($"  {input[0]}: downloaded {bytes.Length:N0} bytes through its SAS URL");
        }
        if (inputs.Count != images.Length) return Fail($"expected {images.Length} inputs in the manifest, got {inputs.Count}");

        Step("4. Labeling platform, round 1: one bounding box per input");
        string Line(string id, string input, string modified, string concept, bool deleted = false) => JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["annotation_id"] = id, ["input_id"] = input, ["user_id"] = "demo-labeler", ["modified_at"] = modified,
            ["concepts"] = deleted ? null : new[] { concept }, ["deleted"] = deleted ? true : null,
            ["region"] = deleted ? null : new { bounding_box = new { top_row = 0.1, left_col = 0.1, bottom_row = 0.9, right_col = 0.9 } },
        }, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
        var round1 = inputs.Select((x, i) => Line($"ann-{i + 1}", x[0], "2026-12-31T23:59:30Z", x[0].Contains("/cats/", StringComparison.Ordinal) ? "cat" : "dog")).ToList();
        var report1 = await DropAsync(blobs, reverseId, "round1.jsonl", round1, cancellationToken);
        if (report1 is null) return Fail($"round 1 was rejected: see failed/{reverseId}/round1.jsonl.errors.json");
        Info(Describe(report1.Value));

        Step("5. Round 2: an edit after New Year, a delete, and an older edit re-delivered (must not win)");
        var round2 = new List<string>
        {
            Line("ann-1", inputs[0][0], "2027-01-01T00:00:10Z", "kitten"),
            Line("ann-2", inputs[1][0], "2027-01-01T00:00:20Z", "", deleted: true),
            Line("ann-3", inputs[2][0], "2026-12-31T23:00:00Z", "cat"),
        };
        var report2 = await DropAsync(blobs, reverseId, "round2.jsonl", round2, cancellationToken);
        if (report2 is null) return Fail($"round 2 was rejected: see failed/{reverseId}/round2.jsonl.errors.json");
        Info(Describe(report2.Value));

        Step("6. The annotations table (latest 20 rows) joined with the inputs");
        var preview = await workspace.ExecuteAsync($"""
            SELECT a.annotation_id, a.input_id, to_json(a.concepts), a.deleted, CAST(a.modified_at AS STRING), i.size_bytes
            FROM {annotationsTable} a LEFT JOIN {inputsTable} i ON i.input_id = a.input_id
            ORDER BY a.modified_at DESC LIMIT 20
            """, null, new StatementOptions { WarehouseId = warehouse }, cancellationToken);
        var grid = new Table().AddColumns("annotation_id", "input_id", "concepts", "deleted", "modified_at", "size_bytes");
        var state = new Dictionary<string, string>();
        await foreach (var r in preview.ReadRowsAsync(cancellationToken))
        {
            grid.AddRow(r.Select(c => Markup.Escape(c ?? "NULL")).ToArray());
            state[r[0]!] = $"{r[2]}|{r[3]}";
        }
        AnsiConsole.Write(grid);
        var expected = new Dictionary<string, string> { ["ann-1"] = """["kitten"]|false""", ["ann-2"] = """["cat"]|true""", ["ann-3"] = """["dog"]|false""" };
        foreach (var (id, want) in expected)
            if (!state.TryGetValue(id, out var got) || got != want) return Fail($"{id} is {got ?? "missing"}, expected {want}");
        AnsiConsole.MarkupLine("[green bold]Datasets demo complete: later edits won across the year boundary, the delete held, the older edit was skipped.[/]");
        return 0;
    }

    /// <summary>Drops a JSON Lines file and waits for its report; null when it was rejected.</summary>
    private static async Task<JsonElement?> DropAsync(IBlobStore blobs, string configId, string name, IReadOnlyList<string> lines, CancellationToken cancellationToken)
    {
        var blob = $"{configId}/{name}";
        await blobs.UploadAsync("annotations", blob, new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n")),
            new BlobWriteOptions { ContentType = "application/jsonl" }, cancellationToken);
        Info($"annotations/{blob}: {lines.Count} records");
        var outcome = await WaitForAsync(async () =>
        {
            if (await blobs.GetPropertiesAsync("processed", blob + ".report.json", cancellationToken) is not null) return "processed";
            if (await blobs.GetPropertiesAsync("failed", blob, cancellationToken) is not null) return "failed";
            return null;
        }, $"the import of {name}", cancellationToken);
        if (outcome == "failed") return null;
        await using var report = await blobs.OpenReadAsync("processed", blob + ".report.json", cancellationToken);
        return (await JsonDocument.ParseAsync(report, cancellationToken: cancellationToken)).RootElement.Clone();
    }

    private static string Describe(JsonElement report) => string.Join(", ",
        new[] { "inserted", "updated", "skipped_as_older", "unchanged", "tombstoned", "inputs_updated" }.Select(k => $"{k} {report.GetProperty(k).GetInt64()}"));
}
