using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using global::Azure.Storage.Blobs;
using CsvHelper;
using DbxSync.Functions.Hosting;
using DbxSync.Functions.Tests.Infrastructure;
using DbxSync.Testing;
using Xunit;

namespace DbxSync.Functions.Tests;

/// <summary>
/// Issue 23, done when: a snapshot exported through several runs of the real worker under the local host, its run
/// limit set low so the snapshot must resume, the worker killed with SIGKILL once in the middle. Every part read
/// back holds each unlabeled row exactly once, and the final manifest counts them.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ExportResumptionTests(ApiFixture fixture) : ApiTestBase(fixture)
{
    private const string Configs = "/api/databricks/sync-configs";
    private const int Rows = 240;
    private const int PartRows = 40;
    // Each keyset page takes PageDelay and a run may take twice that: a run writes one part, then stops partial.
    private static readonly TimeSpan PageDelay = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_snapshot_resumes_through_partial_runs_and_a_SIGKILL_and_sends_every_unlabeled_row_once()
    {
        var table = $"main.default.parts_{Guid.NewGuid():N}"[..36];
        await Fixture.SqlAsync($"CREATE TABLE {table} (id BIGINT NOT NULL, text STRING, label STRING)", write: true);
        await Fixture.SqlAsync($"INSERT INTO {table} SELECT id, concat('text ', id), NULL FROM range(1, {Rows + 1})", write: true);
        await Fixture.SqlAsync($"UPDATE {table} SET label = 'done' WHERE id % 9 = 0", write: true);
        var unlabeled = Enumerable.Range(1, Rows).Where(i => i % 9 != 0).Select(i => (long)i).ToList();

        // Its own storage: the test process's shared host listens on the shared storage's sync-runs queue and would
        // take the continuations with its default settings (and this host's timer would tick the shared configs).
        using var azurite = AzuriteInstance.StartPrivate();
        var storage = azurite.ConnectionString;
        await using var app = await ApiFixture.StartWithSettingsAsync(new Dictionary<string, string>
        {
            [SettingNames.WebJobsStorage] = storage,
            [SettingNames.ToAppSetting(SettingNames.StorageConnectionString)] = storage,
            [SettingNames.ToAppSetting(SettingNames.RunTimeLimit)] = (PageDelay * 2).ToString("c", CultureInfo.InvariantCulture),
            [SettingNames.ToAppSetting(SettingNames.ExportPartRows)] = PartRows.ToString(CultureInfo.InvariantCulture),
            // A partial run leaves its config due at once; the timer's next tick queues the continuation.
            [SettingNames.SyncTimerSchedule] = "*/2 * * * * *",
        });
        var exports = new BlobServiceClient(storage).GetBlobContainerClient("exports");
        var faults = Fixture.Emulator.Handle!.Faults;
        faults.SlowStatementMatch = "ORDER BY `id` LIMIT";
        faults.StatementDelay = PageDelay;
        try
        {
            var principal = await app.Admin.PostAsync("/api/databricks/service-principals", Json(new
            {
                workspace_url = Fixture.WorkspaceUrl, client_id = Fixture.ClientId, client_secret = Fixture.ClientSecret, name = "parts",
            }));
            Assert.Equal(HttpStatusCode.Created, principal.StatusCode);
            var created = await app.Admin.PostAsync(Configs, Json(new
            {
                name = "parts", config_type = "table", databricks_path = table, service_principal_id = Id(await ReadJsonAsync(principal)), pk_column = "id", label_column = "label",
            }));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var config = Id(await ReadJsonAsync(created));
            Assert.Equal(HttpStatusCode.Accepted, (await app.Admin.PostAsync($"{Configs}/{config}/run", null)).StatusCode);

            // SIGKILL the worker once two parts are out, while the next run is inside its page statement.
            var before = await app.Host.GetStatusAsync();
            await WaitUntilAsync(async () => (await PartNamesAsync(exports, config)).Count >= 2, TimeSpan.FromSeconds(90), "two parts");
            using (var kill = Process.Start("kill", ["-KILL", before.WorkerProcessId!.Value.ToString(CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            await WaitUntilAsync(async () => await StatusAsync(app) is { State: "Running" } s && s.WorkerProcessId != before.WorkerProcessId,
                TimeSpan.FromSeconds(60), "a new worker");

            // The killed run held the config's lease: runs are skipped until it expires (60 s); then a tick continues.
            await WaitUntilAsync(async () => await FinalManifestNameAsync(exports, config) is not null, TimeSpan.FromSeconds(240), "final manifest");

            var names = await PartNamesAsync(exports, config);
            var ids = new List<long>();
            foreach (var name in names) ids.AddRange(await IdsAsync(exports, name));
            Assert.Equal((unlabeled.Count + PartRows - 1) / PartRows, names.Count);
            Assert.Equal(ids.Count, ids.Distinct().Count());
            Assert.Equal(unlabeled, ids.Order());
            var final = JsonDocument.Parse((await exports.GetBlobClient(await FinalManifestNameAsync(exports, config)).DownloadContentAsync()).Value.Content.ToString()).RootElement;
            Assert.Equal(unlabeled.Count, final.GetProperty("row_count").GetInt64());
            Assert.Equal(names.Count, final.GetProperty("part_count").GetInt32());

            var runs = (await ReadJsonAsync(await app.Admin.GetAsync($"{Configs}/{config}/runs?page_size=100"))).GetProperty("items").EnumerateArray().ToList();
            var outcomes = runs.Select(r => r.GetProperty("outcome").GetString()).ToList();
            Assert.True(outcomes.Count(o => o == "partial") >= 2, string.Join(", ", outcomes));
            Assert.Equal("succeeded", outcomes[0]);
            Assert.True(outcomes.Count(o => o is "partial" or "succeeded") >= 3, string.Join(", ", outcomes));
            Assert.DoesNotContain(runs, r => r.GetProperty("outcome").GetString() == "partial" && r.GetProperty("error").ValueKind == JsonValueKind.String);
            Assert.True((await StatusAsync(app))?.WorkerStarts >= 2);
        }
        finally
        {
            faults.Reset();
        }
    }

    /// <summary>The host's status; null while it cannot answer (it may answer 500 while it restarts the killed worker).</summary>
    private static async Task<HostStatus?> StatusAsync(ApiFixture app)
    {
        try { return await app.Host.GetStatusAsync(); }
        catch (HttpRequestException) { return null; }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"no {what} within {timeout.TotalSeconds} s");
            await Task.Delay(250);
        }
    }

    private static async Task<List<string>> PartNamesAsync(BlobContainerClient exports, string config)
    {
        var names = new List<string>();
        await foreach (var blob in exports.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, config + "/", CancellationToken.None))
            if (blob.Name.EndsWith(".csv", StringComparison.Ordinal)) names.Add(blob.Name);
        return names.Order(StringComparer.Ordinal).ToList();
    }

    private static async Task<string?> FinalManifestNameAsync(BlobContainerClient exports, string config)
    {
        await foreach (var blob in exports.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, config + "/", CancellationToken.None))
            if (blob.Name.EndsWith(".manifest.json", StringComparison.Ordinal) && !blob.Name.Contains("_part", StringComparison.Ordinal)) return blob.Name;
        return null;
    }

    private static async Task<List<long>> IdsAsync(BlobContainerClient exports, string name)
    {
        var bytes = (await exports.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToArray();
        using var reader = CsvReader.Create(bytes, new CsvReaderOptions { Separator = ',', HasHeader = false, AllowLineBreaksInQuotes = true, MalformedData = CsvMalformedDataHandling.Throw });
        Assert.True(reader.Read() && reader.GetString(0) == "id", "a header first");
        var ids = new List<long>();
        while (reader.Read()) ids.Add(long.Parse(reader.GetString(0), CultureInfo.InvariantCulture));
        return ids;
    }
}
