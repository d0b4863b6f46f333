using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Web;
using DbxSync.Core.Configs;
using DbxSync.Core.Errors;
using DbxSync.Core.Runs;
using DbxSync.Core.Syncs;
using DbxSync.Core.Syncs.LabeledImport;
using DbxSync.Syncs.Tests.Infrastructure;

namespace DbxSync.Syncs.Tests;

/// <summary>volume_forward with inputs_table and inputs_manifest: volume images go out as dataset inputs (README "Datasets").</summary>
public sealed class VolumeInputsTests
{
    private static byte[] Image(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task Volume_images_go_to_blob_with_the_inputs_table_and_a_manifest_whose_sas_urls_download()
    {
        await using var stack = await SyncStack.CreateAsync();
        var volume = await stack.CreateVolumeAsync("images");
        var files = new Dictionary<string, byte[]> { ["raw/cats/a.jpg"] = Image(40_000, 1), ["raw/dogs/b b.png"] = Image(1234, 2) };
        foreach (var (path, content) in files) await stack.Workspace.UploadFileAsync($"{volume}/{path}", new MemoryStream(content));
        var inputs = $"{SyncStack.Catalog}.{SyncStack.Schema}.{SyncStack.UniqueName("inputs")}";
        // The sync root is a directory of the volume: input ids stay relative to the volume root.
        var config = await stack.CreateConfigAsync(new SyncConfigInput
        {
            ConfigType = "volume_forward", DatabricksPath = volume + "/raw", InputsTable = inputs, InputsManifest = true,
            InputsUrlExpiryHours = 2, PropagateDeletes = true,
        });

        var before = DateTimeOffset.UtcNow;
        var run = await stack.RunAsync(config.Id);
        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(2, run.Files);

        // The inputs table: created, typed, one row per file.
        var columns = (await stack.Workspace.GetTableAsync(inputs))!.Columns.ToDictionary(c => c.Name, c => c.TypeText.ToUpperInvariant());
        Assert.Equal("TIMESTAMP", columns["exported_at"]);
        Assert.Equal("TIMESTAMP", columns["source_modified_at"]);
        Assert.Equal("BIGINT", columns["size_bytes"]);
        var rows = (await stack.QueryAsync($"SELECT input_id, volume_path, blob_name, size_bytes, sha256, content_type, deleted, exported_at IS NOT NULL, source_modified_at IS NOT NULL FROM {inputs} ORDER BY input_id"))
            .Select(r => string.Join("|", r)).ToList();
        string Row(string path, string type) =>
            $"{path}|{volume}/{path}|{config.Id}/{path["raw/".Length..]}|{files[path].Length}|{Convert.ToHexStringLower(SHA256.HashData(files[path]))}|{type}|false|true|true";
        Assert.Equal([Row("raw/cats/a.jpg", "image/jpeg"), Row("raw/dogs/b b.png", "image/png")], rows);

        // The manifest: Clarifai's input CSV under exports/{config}/inputs/, never under volumes/.
        Assert.StartsWith($"{BlobContainers.Exports}/{config.Id}/inputs/", run.Output);
        Assert.EndsWith(".csv", run.Output);
        var manifest = await ReadCsvAsync(stack, run.Output!);
        Assert.Equal(["inputid", "input", "concepts", "metadata", "geopoints"], manifest[0]);
        Assert.Equal(["raw/cats/a.jpg", "raw/dogs/b b.png"], manifest.Skip(1).Select(r => r[0]));
        using var http = new HttpClient();
        foreach (var record in manifest.Skip(1))
        {
            var url = new Uri(record[1]);
            var query = HttpUtility.ParseQueryString(url.Query);
            Assert.Equal("r", query["sp"]);
            var expires = DateTimeOffset.Parse(query["se"]!, CultureInfo.InvariantCulture);
            Assert.InRange(expires, before.AddHours(2).AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(2).AddMinutes(1));
            // The URL alone downloads the file; without its signature the blob is not readable.
            Assert.Equal(files[record[0]], await http.GetByteArrayAsync(url));
            using var unsigned = await http.GetAsync(url.GetLeftPart(UriPartial.Path));
            Assert.False(unsigned.IsSuccessStatusCode);
            using var metadata = JsonDocument.Parse(record[3]);
            Assert.Equal($"{volume}/{record[0]}", metadata.RootElement.GetProperty("volume_path").GetString());
            Assert.Equal(files[record[0]].Length, metadata.RootElement.GetProperty("size_bytes").GetInt64());
            Assert.Equal("", record[2]);
            Assert.Equal("", record[4]);
        }

        // A file deleted in the volume: its row stays, flagged; nothing new is sent, so no manifest.
        Assert.True(await stack.Workspace.DeleteFileAsync($"{volume}/raw/dogs/b b.png"));
        var second = await stack.RunAsync(config.Id);
        Assert.True(second.Outcome == RunOutcome.Succeeded, second.Error);
        var deleted = (await stack.QueryAsync($"SELECT input_id, deleted FROM {inputs} ORDER BY input_id")).Select(r => string.Join("|", r)).ToList();
        Assert.Equal(["raw/cats/a.jpg|false", "raw/dogs/b b.png|true"], deleted);
        Assert.Single(await stack.ListAsync(BlobContainers.Exports, $"{config.Id}/inputs/"));
    }

    [Fact]
    public async Task Url_expiry_is_limited_to_seven_days_and_dataset_options_belong_to_their_types()
    {
        await using var stack = await SyncStack.CreateAsync();
        var volume = await stack.CreateVolumeAsync();
        var tooLong = await Assert.ThrowsAsync<ValidationException>(() => stack.CreateConfigAsync(new SyncConfigInput
        {
            ConfigType = "volume_forward", DatabricksPath = volume, InputsManifest = true, InputsUrlExpiryHours = 169,
        }));
        Assert.Equal("inputs_url_expiry_hours", tooLong.Field);
        var wrongType = await Assert.ThrowsAsync<ValidationException>(() => stack.CreateConfigAsync(new SyncConfigInput
        {
            ConfigType = "volume_reverse", DatabricksPath = volume, InputsManifest = true,
        }));
        Assert.Equal("inputs_manifest", wrongType.Field);
    }

    internal static async Task<List<string[]>> ReadCsvAsync(SyncStack stack, string output)
    {
        var slash = output.IndexOf('/');
        await using var file = LabeledFile.Open(new MemoryStream(await stack.ReadBlobAsync(output[..slash], output[(slash + 1)..])));
        var records = new List<string[]>();
        while (await file.ReadAsync(CancellationToken.None) is { } record) records.Add(record);
        return records;
    }
}

/// <summary>table with export_format clarifai_inputs: the export's rows in Clarifai's input CSV.</summary>
public sealed class ClarifaiInputsExportTests
{
    [Fact]
    public async Task A_table_goes_out_in_clarifai_inputs_format_with_the_same_change_detection()
    {
        await using var stack = await SyncStack.CreateAsync();
        var volume = await stack.CreateVolumeAsync("photos");
        var photo = new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3 };
        await stack.Workspace.UploadFileAsync($"{volume}/2026/p1.jpg", new MemoryStream(photo));
        var table = $"{SyncStack.Catalog}.{SyncStack.Schema}.{SyncStack.UniqueName("photos")}";
        await stack.SqlAsync($"CREATE TABLE {table} (id BIGINT NOT NULL, image STRING, label STRING, split STRING, lon DOUBLE, lat DOUBLE) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
        await stack.SqlAsync($"""
            INSERT INTO {table} VALUES
              (1, 'https://example.org/cat.jpg', NULL, 'train', 13.4, 52.5),
              (2, '{volume}/2026/p1.jpg', NULL, 'val', NULL, NULL),
              (3, 'https://example.org/done.jpg', 'dog', 'train', NULL, NULL)
            """);
        var config = await stack.CreateConfigAsync(new SyncConfigInput
        {
            ConfigType = "table", DatabricksPath = table, PkColumn = "id", LabelColumn = "label",
            ExportFormat = "clarifai_inputs", InputColumn = "image", MetadataColumns = ["split"], LongitudeColumn = "lon", LatitudeColumn = "lat",
        });

        var run = await stack.RunAsync(config.Id);
        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(2, run.Rows);
        var csv = await VolumeInputsTests.ReadCsvAsync(stack, run.Output!);
        Assert.Equal(["inputid", "input", "concepts", "metadata", "geopoints"], csv[0]);
        var rows = csv.Skip(1).OrderBy(r => r[0]).ToList();
        Assert.Equal(["1", "https://example.org/cat.jpg", "", """{"split":"train"}""", "13.4,52.5"], rows[0]);
        Assert.Equal("2", rows[1][0]);
        Assert.Equal("""{"split":"val"}""", rows[1][3]);
        Assert.Equal("", rows[1][4]);
        // The volume file was copied to blob storage and its URL downloads it.
        using var http = new HttpClient();
        Assert.Equal(photo, await http.GetByteArrayAsync(rows[1][1]));
        Assert.Contains($"/{BlobContainers.Exports}/{config.Id}/files/", new Uri(rows[1][1]).AbsolutePath);

        // Same change detection as the CSV export: only the new unlabeled row goes out next.
        await stack.SqlAsync($"INSERT INTO {table} VALUES (4, 'https://example.org/new.jpg', NULL, 'test', NULL, NULL)");
        var second = await stack.RunAsync(config.Id);
        Assert.True(second.Outcome == RunOutcome.Succeeded, second.Error);
        Assert.Equal(["4"], (await VolumeInputsTests.ReadCsvAsync(stack, second.Output!)).Skip(1).Select(r => r[0]));
    }

    [Fact]
    public async Task Clarifai_inputs_needs_an_input_column_and_only_applies_to_table_exports()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(1, changeDataFeed: false);
        var noInput = await Assert.ThrowsAsync<ValidationException>(() => stack.CreateConfigAsync(new SyncConfigInput
        {
            ConfigType = "table", DatabricksPath = table, PkColumn = "id", LabelColumn = "label", ExportFormat = "clarifai_inputs",
        }));
        Assert.Equal("input_column", noInput.Field);
        var missing = await Assert.ThrowsAsync<ValidationException>(() => stack.CreateConfigAsync(new SyncConfigInput
        {
            ConfigType = "table", DatabricksPath = table, PkColumn = "id", LabelColumn = "label", ExportFormat = "clarifai_inputs", InputColumn = "nope",
        }));
        Assert.Equal("input_column", missing.Field);
    }
}
