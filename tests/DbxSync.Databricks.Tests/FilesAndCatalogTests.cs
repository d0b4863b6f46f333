using DbxSync.Testing;
using DbxSync.Core.Errors;
using Microsoft.AspNetCore.Http;
using DbxSync.Core.Ports;
using DbxSync.Databricks.Files;
using DbxSync.Databricks.Tests.Infrastructure;

namespace DbxSync.Databricks.Tests;

public class FilesAndCatalogTests
{
    private const string Jars = "/api/2.0/fs/directories/Volumes/apache-hop/default/jars";

    [Fact]
    public async Task Listing_follows_page_tokens_and_recurses_depth_first()
    {
        await using var t = await TestWorkspace.StartAsync();
        t.Server.On("GET", Jars, (ctx, _) => ScriptedServer.Json(ctx, ctx.Request.Query["page_token"] == "page2"
            ? Fixtures.Node("files/02_list_directory_contents_two_pages.json", "page2", "response")
            : Fixtures.Node("files/02_list_directory_contents_two_pages.json", "page1", "response")));
        t.Server.OnSequence("GET", Jars + "/sub",
            ctx => ScriptedServer.Json(ctx, """{"next_page_token":"empty-but-more"}"""),
            ctx => ScriptedServer.Json(ctx, """{"contents":[{"path":"/Volumes/apache-hop/default/jars/sub/c d.txt","name":"c d.txt","is_directory":false,"file_size":3,"last_modified":1752181221000}]}"""));

        var entries = new List<VolumeEntry>();
        await foreach (var e in t.Workspace.ListDirectoryRecursiveAsync("/Volumes/apache-hop/default/jars/")) entries.Add(e);

        Assert.Equal(["a.jar", "sub", "c d.txt"], entries.Select(e => e.Name));
        Assert.Equal(new VolumeEntry("/Volumes/apache-hop/default/jars/a.jar", "a.jar", false, 10, DateTimeOffset.FromUnixTimeMilliseconds(1000)), entries[0]);
        Assert.True(entries[1].IsDirectory);
        Assert.Null(entries[1].Size);
        Assert.Contains(t.Server.Requests, r => r.PathAndQuery == Jars + "?page_size=1000&page_token=page2");
        Assert.Equal(2, t.Server.Count("GET", Jars + "/sub"));
    }

    [Fact]
    public async Task Upload_download_head_and_delete()
    {
        await using var t = await TestWorkspace.StartAsync();
        var stored = "";
        // Kestrel hands routes the decoded path; the per-segment encoding itself is checked in Paths_are_encoded_per_segment.
        const string file = "/api/2.0/fs/files/Volumes/main/default/vol/in dir/a#b.csv";
        t.Server.On("PUT", file, (ctx, body) => { stored = body; ctx.Response.StatusCode = 204; return Task.CompletedTask; });
        t.Server.On("GET", file, async (ctx, _) => { ctx.Response.ContentType = "application/octet-stream"; await ctx.Response.WriteAsync(stored); });
        t.Server.On("HEAD", file, (ctx, _) =>
        {
            ctx.Response.ContentLength = stored.Length;
            ctx.Response.Headers.LastModified = "Tue, 21 Oct 2025 07:28:00 GMT";
            return Task.CompletedTask;
        });
        t.Server.On("DELETE", file, (ctx, _) => Task.CompletedTask);

        await t.Workspace.UploadFileAsync("/Volumes/main/default/vol/in dir/a#b.csv", new NonSeekableStream("id,label\n1,cat\n"u8.ToArray()));
        Assert.Equal("id,label\n1,cat\n", stored);
        Assert.Contains(t.Server.Requests, r => r.Method == "PUT" && r.PathAndQuery.EndsWith("?overwrite=true"));

        await using (var download = await t.Workspace.DownloadFileAsync("/Volumes/main/default/vol/in dir/a#b.csv"))
            Assert.Equal(stored, await new StreamReader(download).ReadToEndAsync());

        var meta = await t.Workspace.GetFileMetadataAsync("/Volumes/main/default/vol/in dir/a#b.csv");
        Assert.Equal(stored.Length, meta!.Length);
        Assert.Equal(new DateTimeOffset(2025, 10, 21, 7, 28, 0, TimeSpan.Zero), meta.LastModified);
        Assert.Null(await t.Workspace.GetFileMetadataAsync("/Volumes/main/default/vol/missing.csv"));

        Assert.True(await t.Workspace.DeleteFileAsync("/Volumes/main/default/vol/in dir/a#b.csv"));
        Assert.False(await t.Workspace.DeleteFileAsync("/Volumes/main/default/vol/missing.csv"));
    }

    [Fact]
    public async Task Non_seekable_upload_sent_as_one_put_is_not_retried()
    {
        // Longer than one part on a workspace without multipart upload: the stream goes as it is, unbuffered.
        await using var t = await TestWorkspace.StartAsync(o => new DatabricksClientOptions
        {
            AllowedWorkspaceHosts = o.AllowedWorkspaceHosts, TimeProvider = o.TimeProvider, MultipartUploadPartSize = 2,
        });
        t.Server.OnJson("PUT", "/api/2.0/fs/files/Volumes/main/default/vol/a.csv", """{"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"}""", 503);
        await Assert.ThrowsAsync<WorkspaceException>(() => t.Workspace.UploadFileAsync("/Volumes/main/default/vol/a.csv", new NonSeekableStream([1, 2, 3])));
        Assert.Equal(1, t.Server.Count("PUT", "/api/2.0/fs/files/Volumes/main/default/vol/a.csv"));
        Assert.Equal(1, t.Server.Count("POST", "/api/2.0/fs/files/Volumes/main/default/vol/a.csv"));
    }

    [Fact]
    public async Task Short_non_seekable_upload_is_buffered_so_a_503_is_retried()
    {
        await using var t = await TestWorkspace.StartAsync();
        t.Server.OnSequence("PUT", "/api/2.0/fs/files/Volumes/main/default/vol/a.csv",
            ctx => ScriptedServer.Json(ctx, """{"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"}""", 503, new Dictionary<string, string> { ["Retry-After"] = "0" }),
            ctx => Task.CompletedTask);
        await t.Workspace.UploadFileAsync("/Volumes/main/default/vol/a.csv", new NonSeekableStream([1, 2, 3]));
        Assert.Equal(2, t.Server.Count("PUT", "/api/2.0/fs/files/Volumes/main/default/vol/a.csv"));
    }

    [Theory]
    [InlineData("/Volumes/main/default/vol/../etc/passwd")]
    [InlineData("/Volumes/main/default/vol/./a")]
    [InlineData("/Workspace/Users/a")]
    [InlineData("/Volumes/main/default")]
    public async Task Unsafe_paths_are_refused_before_sending(string path)
    {
        await using var t = await TestWorkspace.StartAsync();
        await Assert.ThrowsAsync<ValidationException>(() => t.Workspace.GetFileMetadataAsync(path));
        Assert.DoesNotContain(t.Server.Requests, r => r.PathAndQuery.StartsWith("/api/2.0/fs"));
    }

    [Fact]
    public void Paths_are_encoded_per_segment()
    {
        Assert.Equal("/Volumes/c/s/v/my%20file%231%3F.csv", FilesClient.EncodePath("/Volumes/c/s/v/my file#1?.csv"));
        Assert.Equal("/Volumes/c/s/v/d%25x/a", FilesClient.EncodePath("/Volumes/c/s/v/d%x/a"));
    }

    [Fact]
    public async Task Unity_catalog_lists_parse_the_recorded_bodies_and_follow_empty_pages()
    {
        await using var t = await TestWorkspace.StartAsync();
        const string uc = "unity-catalog/01_list_catalogs_schemas_tables.json";
        t.Server.On("GET", "/api/2.1/unity-catalog/catalogs", (ctx, _) => ScriptedServer.Json(ctx, ctx.Request.Query.ContainsKey("page_token")
            ? Fixtures.Node(uc, "catalogs")
            : """{"catalogs":[],"next_page_token":"p2"}"""));
        t.Server.OnJson("GET", "/api/2.1/unity-catalog/schemas", Fixtures.Node(uc, "schemas"));
        t.Server.OnJson("GET", "/api/2.1/unity-catalog/tables", Fixtures.Node(uc, "tables"));

        var catalogs = new List<CatalogSummary>();
        await foreach (var c in t.Workspace.ListCatalogsAsync()) catalogs.Add(c);
        Assert.Equal(["main", "system"], catalogs.Select(c => c.Name));
        Assert.All(t.Server.Requests.Where(r => r.PathAndQuery.StartsWith("/api/2.1/unity-catalog/catalogs")), r => Assert.Contains("max_results=0", r.PathAndQuery));

        var schemas = new List<SchemaSummary>();
        await foreach (var s in t.Workspace.ListSchemasAsync("quickstart_catalog")) schemas.Add(s);
        Assert.Equal("quickstart_catalog.quickstart_schema", schemas[1].FullName);

        var tables = new List<TableSummary>();
        await foreach (var tb in t.Workspace.ListTablesAsync("quickstart_catalog", "quickstart_schema")) tables.Add(tb);
        var table = tables.Single();
        Assert.Equal("quickstart_catalog.quickstart_schema.quickstart_table", table.FullName);
        Assert.Equal("DELTA", table.DataSourceFormat);
        Assert.Equal(new TableColumn("columnA", "int", "INT", 0, true), table.Columns[0]);
        Assert.Equal("1", table.Properties["delta.lastUpdateVersion"]);
    }

    [Fact]
    public async Task Get_table_and_volume_return_null_when_missing()
    {
        await using var t = await TestWorkspace.StartAsync();
        t.Server.OnJson("GET", "/api/2.1/unity-catalog/tables/main.default.labels", """{"name":"labels","catalog_name":"main","schema_name":"default","full_name":"main.default.labels","table_type":"MANAGED","data_source_format":"DELTA","properties":{"delta.enableChangeDataFeed":"true"}}""");
        t.Server.OnJson("GET", "/api/2.1/unity-catalog/volumes/main.default.vol", """{"name":"vol","catalog_name":"main","schema_name":"default","full_name":"main.default.vol","volume_type":"MANAGED"}""");

        var table = await t.Workspace.GetTableAsync("main.default.labels");
        Assert.Equal("true", table!.Properties["delta.enableChangeDataFeed"]);
        Assert.Empty(table.Columns);
        Assert.Null(await t.Workspace.GetTableAsync("main.default.missing"));
        Assert.Equal("MANAGED", (await t.Workspace.GetVolumeAsync("main.default.vol"))!.VolumeType);
        Assert.Null(await t.Workspace.GetVolumeAsync("main.default.nope"));
        await Assert.ThrowsAsync<ValidationException>(() => t.Workspace.GetTableAsync("main.default.`x`"));
    }
}

public class StalledDownloadTests
{
    [Fact]
    public async Task A_download_that_stops_sending_fails_transiently_after_the_stall_timeout_instead_of_hanging()
    {
        // The real clock here: the stall timer must fire on its own while the read waits.
        await using var t = await TestWorkspace.StartAsync(o => new DatabricksClientOptions
        {
            AllowedWorkspaceHosts = o.AllowedWorkspaceHosts, StreamStallTimeout = TimeSpan.FromMilliseconds(500),
        });
        using var serverGaveUp = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        const string file = "/api/2.0/fs/files/Volumes/main/default/vol/big.bin";
        t.Server.On("GET", file, async (ctx, _) =>
        {
            ctx.Response.ContentType = "application/octet-stream";
            ctx.Response.ContentLength = 1_000_000;
            await ctx.Response.Body.WriteAsync(new byte[10_000]);
            await ctx.Response.Body.FlushAsync();
            // Then nothing more: a connection that neither sends nor closes.
            try { await Task.Delay(Timeout.Infinite, serverGaveUp.Token); } catch (OperationCanceledException) { }
        });

        await using var download = await t.Workspace.DownloadFileAsync("/Volumes/main/default/vol/big.bin");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<WorkspaceException>(async () => await download.CopyToAsync(Stream.Null));
        Assert.True(error.IsTransient);
        Assert.Equal(WorkspaceErrorKind.Unreachable, error.Kind);
        Assert.Contains("no data arrived", error.Message);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"gave up after {started.Elapsed}");
        serverGaveUp.Cancel();
    }
}
