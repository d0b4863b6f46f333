using System.Security.Cryptography;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;

namespace DbxSync.Databricks.Tests.AgainstEmulator;

/// <summary>The client against the local workspace emulator over real HTTP: every operation DbxSync uses.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class WorkspaceClientEmulatorTests(EmulatorWorkspace fx) : IClassFixture<EmulatorWorkspace>
{
    [Fact]
    public async Task OAuth_credentials_are_proven_and_a_wrong_secret_is_refused_without_echoing_it()
    {
        await fx.OAuth().VerifyCredentialsAsync();
        var ex = await Assert.ThrowsAsync<WorkspaceException>(() => fx.OAuth("wrong-secret-value").VerifyCredentialsAsync());
        Assert.Equal(WorkspaceErrorKind.InvalidCredentials, ex.Kind);
        Assert.DoesNotContain("wrong-secret-value", ex.ToString());
    }

    [Fact]
    public async Task Many_concurrent_callers_share_one_token_request()
    {
        var ws = fx.OAuth();
        var before = fx.TokenRequests;
        await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => fx.RunAsync(ws, "SELECT 1")));
        Assert.Equal(1, fx.TokenRequests - before);
    }

    [Fact]
    public async Task Parallel_external_link_downloads_give_the_rows_of_a_sequential_read_in_the_same_order()
    {
        var ws = fx.Pat();
        var table = $"{fx.Catalog}.{fx.Schema}.chunks_parallel";
        await fx.RunAsync(ws, $"CREATE TABLE {table} (id BIGINT, txt STRING)");
        await fx.RunAsync(ws, $"INSERT INTO {table} SELECT id, concat('row ', id) FROM range(45000)");
        var sequential = await fx.RunAsync(ws, $"SELECT id, txt FROM {table} ORDER BY id DESC", large: true);

        using var parallel = new DbxSync.Databricks.Adapters.DatabricksConnector(new DatabricksClientOptions
        {
            AllowedWorkspaceHosts = [fx.Emulator.Host], MaxParallelChunkDownloads = 4, MaxChunkBytesInFlight = 4L * 1024 * 1024,
        });
        var pws = parallel.Connect(new WorkspaceCredentials(fx.Emulator.Host, WorkspaceAuthType.PersonalAccessToken, null, fx.Emulator.Token, "pat-parallel"));
        var result = await pws.ExecuteAsync($"SELECT id, txt FROM {table} ORDER BY id DESC", null, fx.Options(large: true));
        var rows = new List<string?[]>();
        await foreach (var row in result.ReadRowsAsync()) rows.Add(row);

        Assert.Equal(45000, rows.Count);
        Assert.Equal(sequential.Select(r => r[0]), rows.Select(r => r[0]));
        Assert.Equal(["0", "row 0"], rows[^1]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Results_span_many_chunks_inline_and_through_external_links(bool large)
    {
        var ws = fx.Pat();
        var table = $"{fx.Catalog}.{fx.Schema}.chunks_{(large ? "ext" : "inline")}";
        await fx.RunAsync(ws, $"CREATE TABLE {table} (id BIGINT, txt STRING)");
        await fx.RunAsync(ws, $"INSERT INTO {table} SELECT id, concat('row ', id) FROM range(35000)");
        var rows = await fx.RunAsync(ws, $"SELECT id, txt FROM {table} ORDER BY id", large: large);
        Assert.Equal(35000, rows.Count);
        Assert.Equal(["34999", "row 34999"], rows[^1]);
        Assert.True(rows.Select((r, i) => r[0] == i.ToString()).All(ok => ok), "rows out of order or missing across chunk boundaries");
    }

    [Fact]
    public async Task Named_parameters_carry_types_and_nulls()
    {
        var ws = fx.Pat();
        var table = $"{fx.Catalog}.{fx.Schema}.params";
        await fx.RunAsync(ws, $"CREATE TABLE {table} (id BIGINT, name STRING, score DOUBLE)");
        await fx.RunAsync(ws, $"INSERT INTO {table} VALUES (:id, :name, :score)",
            [new("id", "7", "BIGINT"), new("name", "O'Hara; DROP TABLE x", "STRING"), new("score", null, "DOUBLE")], write: true);
        var row = Assert.Single(await fx.RunAsync(ws, $"SELECT id, name, score FROM {table} WHERE id = :id", [new("id", "7", "BIGINT")]));
        Assert.Equal(["7", "O'Hara; DROP TABLE x", null], row);
    }

    [Fact]
    public async Task Sql_failures_carry_the_error_class_and_sqlstate()
    {
        var ex = await Assert.ThrowsAsync<WorkspaceException>(() => fx.RunAsync(fx.Pat(), $"SELECT * FROM {fx.Catalog}.{fx.Schema}.missing"));
        Assert.Equal(WorkspaceErrorKind.SqlError, ex.Kind);
        Assert.Equal("TABLE_OR_VIEW_NOT_FOUND", ex.ErrorClass);
        Assert.Equal("42P01", ex.SqlState);
    }

    [Fact]
    public async Task Files_stream_up_and_down_list_recursively_across_pages_and_delete()
    {
        var ws = fx.Pat();
        var volume = $"{fx.Catalog}.{fx.Schema}.files";
        await fx.RunAsync(ws, $"CREATE VOLUME IF NOT EXISTS {volume}");
        var root = $"/Volumes/{fx.Catalog}/{fx.Schema}/files";
        var big = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 17);
        await ws.CreateDirectoryAsync($"{root}/deep/er");
        await ws.UploadFileAsync($"{root}/deep/er/big file.bin", new MemoryStream(big));
        await Parallel.ForEachAsync(Enumerable.Range(0, 1050), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, ct) => await ws.UploadFileAsync($"{root}/many/f{i:D4}.txt", new MemoryStream([(byte)(i % 256)]), true, ct));

        await using (var download = await ws.DownloadFileAsync($"{root}/deep/er/big file.bin"))
        {
            var copy = new MemoryStream();
            await download.CopyToAsync(copy);
            Assert.Equal(SHA256.HashData(big), SHA256.HashData(copy.ToArray()));
        }
        var meta = await ws.GetFileMetadataAsync($"{root}/deep/er/big file.bin");
        Assert.Equal(big.Length, meta!.Length);
        Assert.Null(await ws.GetFileMetadataAsync($"{root}/nope.bin"));

        var entries = new List<VolumeEntry>();
        await foreach (var e in ws.ListDirectoryRecursiveAsync(root)) entries.Add(e);
        Assert.Equal(1051, entries.Count(e => !e.IsDirectory));
        Assert.Contains(entries, e => e.Path == $"{root}/deep/er/big file.bin" && e.Size == big.Length);

        Assert.True(await ws.DeleteFileAsync($"{root}/deep/er/big file.bin"));
        Assert.False(await ws.DeleteFileAsync($"{root}/deep/er/big file.bin"));
    }

    [Fact]
    public async Task Unity_catalog_lists_and_describes_tables_volumes_and_warehouses()
    {
        var ws = fx.Pat();
        var table = $"{fx.Catalog}.{fx.Schema}.described";
        await fx.RunAsync(ws, $"CREATE TABLE {table} (id BIGINT NOT NULL, label STRING) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
        await fx.RunAsync(ws, $"CREATE VOLUME IF NOT EXISTS {fx.Catalog}.{fx.Schema}.vol");

        Assert.Contains(await ToList(ws.ListCatalogsAsync()), c => c.Name == fx.Catalog);
        Assert.Contains(await ToList(ws.ListSchemasAsync(fx.Catalog)), s => s.Name == fx.Schema);
        Assert.Contains(await ToList(ws.ListTablesAsync(fx.Catalog, fx.Schema)), t => t.FullName == table);
        Assert.Contains(await ToList(ws.ListVolumesAsync(fx.Catalog, fx.Schema)), v => v.Name == "vol");
        var described = await ws.GetTableAsync(table);
        Assert.Equal(["id", "label"], described!.Columns.Select(c => c.Name));
        Assert.Equal("true", described.Properties["delta.enableChangeDataFeed"]);
        Assert.Null(await ws.GetTableAsync($"{fx.Catalog}.{fx.Schema}.absent"));
        Assert.NotNull(await ws.GetVolumeAsync($"{fx.Catalog}.{fx.Schema}.vol"));
        Assert.Contains(await ToList(ws.ListWarehousesAsync()), w => w.Id == fx.Emulator.WarehouseId);
    }

    private static async Task<List<T>> ToList<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var i in items) list.Add(i);
        return list;
    }
}
