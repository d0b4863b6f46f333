using System.Text.Json.Nodes;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Databricks.Tests.Infrastructure;

namespace DbxSync.Databricks.Tests;

public class ExternalLinksTests
{
    private const string Id = "01ef9de2-db21-16af-b4cb-9ccf302d746b";
    private const string Secret = "X-Amz-Signature=SECRETSIG123";

    private static string Row(int i) => "[" + string.Join(",", Enumerable.Range(0, 16).Select(c => c == 15 ? "null" : $"\"{i}-{c}\"")) + "]";
    private static string ChunkContent(int from, int count) => "[" + string.Join(",", Enumerable.Range(from, count).Select(Row)) + "]";

    private static string WithLink(string json, string jsonPath, string url, DateTimeOffset? expiration, bool addHeaders = false)
    {
        var node = JsonNode.Parse(json)!;
        var link = (jsonPath == "result" ? node["result"]! : node)["external_links"]![0]!;
        link["external_link"] = url;
        if (expiration is { } e) link["expiration"] = e.ToString("O");
        if (addHeaders) link["http_headers"] = new JsonObject { ["x-ms-blob-type"] = "BlockBlob" };
        return node.ToJsonString();
    }

    private static async Task<TestWorkspace> Start(bool expiredFirstLink)
    {
        var t = await TestWorkspace.StartAsync();
        var future = t.Time.GetUtcNow().AddMinutes(14);
        var first = WithLink(Fixtures.ResponseBody("statements/05_execute_external_links_arrow_multichunk.json"), "result",
            $"{t.Server.BaseUrl}/external/chunk0?{Secret}", expiredFirstLink ? null : future, addHeaders: true);
        t.Server.OnJson("POST", "/api/2.0/sql/statements", first);
        t.Server.OnJson("GET", $"/api/2.0/sql/statements/{Id}/result/chunks/0",
            WithLink(first, "result", $"{t.Server.BaseUrl}/external/chunk0?{Secret}", future, addHeaders: true).Let(j => JsonNode.Parse(j)!["result"]!.ToJsonString()));
        t.Server.OnJson("GET", $"/api/2.0/sql/statements/{Id}/result/chunks/1",
            WithLink(Fixtures.ResponseBody("statements/06_get_result_chunk_1_external_links.json"), "", $"{t.Server.BaseUrl}/external/chunk1?{Secret}", future));
        t.Server.On("GET", "/external/chunk0", (ctx, _) => ScriptedServer.Json(ctx, ChunkContent(0, 300)));
        t.Server.On("GET", "/external/chunk1", (ctx, _) => ScriptedServer.Json(ctx, ChunkContent(300, 20)));
        return t;
    }

    [Fact]
    public async Task Multichunk_result_is_streamed_without_authorization_and_with_http_headers()
    {
        await using var t = await Start(expiredFirstLink: false);
        var result = await t.Workspace.ExecuteAsync("SELECT * FROM lineitem", options: TestWorkspace.Read with { LargeResult = true });
        var rows = new List<string?[]>();
        await foreach (var row in result.ReadRowsAsync()) rows.Add(row);

        Assert.Equal(16, result.Columns.Count);
        Assert.Equal("l_comment", result.Columns[15].Name);
        Assert.Equal(122900, result.TotalRowCount);
        Assert.Equal(320, rows.Count);
        Assert.Equal("319-0", rows[^1][0]);
        Assert.Null(rows[0][15]);

        var downloads = t.Server.Requests.Where(r => r.PathAndQuery.StartsWith("/external/")).ToList();
        Assert.Equal(2, downloads.Count);
        Assert.All(downloads, d => Assert.False(d.Headers.ContainsKey("Authorization")));
        Assert.Equal("BlockBlob", downloads[0].Headers["x-ms-blob-type"]);
        Assert.Contains("\"EXTERNAL_LINKS\"", t.Server.Requests.First(r => r.Method == "POST" && r.PathAndQuery == "/api/2.0/sql/statements").Body);
        Assert.Equal(0, t.Server.Count("GET", $"/api/2.0/sql/statements/{Id}/result/chunks/0"));
    }

    [Fact]
    public async Task Expired_link_is_refreshed_through_the_chunk_endpoint()
    {
        // The recorded expiration (2024) is long past on the test clock.
        await using var t = await Start(expiredFirstLink: true);
        var result = await t.Workspace.ExecuteAsync("SELECT", options: TestWorkspace.Read with { LargeResult = true });
        var count = 0;
        await foreach (var _ in result.ReadRowsAsync()) count++;
        Assert.Equal(320, count);
        Assert.Equal(1, t.Server.Count("GET", $"/api/2.0/sql/statements/{Id}/result/chunks/0"));
    }

    [Fact]
    public async Task Refused_link_is_refreshed_once_then_fails_without_leaking_the_url()
    {
        await using var t = await Start(expiredFirstLink: false);
        t.Server.On("GET", "/external/chunk0", (ctx, _) => ScriptedServer.Json(ctx, $"<Error><Code>AccessDenied</Code><Url>{t.Server.BaseUrl}/external/chunk0?{Secret}</Url></Error>", 403));
        var result = await t.Workspace.ExecuteAsync("SELECT", options: TestWorkspace.Read with { LargeResult = true });

        var e = await Assert.ThrowsAsync<WorkspaceException>(async () => { await foreach (var _ in result.ReadRowsAsync()) { } });
        Assert.Equal(403, e.Status);
        Assert.Equal(1, t.Server.Count("GET", $"/api/2.0/sql/statements/{Id}/result/chunks/0"));
        Assert.DoesNotContain("SECRETSIG", e.ToString());
        Assert.DoesNotContain("/external/", e.ToString());
    }

    [Fact]
    public async Task Dml_counts_come_through_an_external_link()
    {
        await using var t = await TestWorkspace.StartAsync();
        var body = WithLink(Fixtures.ResponseBody("statements/11_execute_update_dml_counts.json"), "result", $"{t.Server.BaseUrl}/external/dml?{Secret}", t.Time.GetUtcNow().AddMinutes(10));
        t.Server.OnJson("POST", "/api/2.0/sql/statements", body);
        t.Server.On("GET", "/external/dml", (ctx, _) => ScriptedServer.Json(ctx, """[["1"]]"""));
        var result = await t.Workspace.ExecuteAsync("UPDATE t SET x = 1", options: TestWorkspace.Write with { LargeResult = true });
        var rows = new List<string?[]>();
        await foreach (var r in result.ReadRowsAsync()) rows.Add(r);
        Assert.Equal(new SqlColumn("num_affected_rows", "BIGINT", "LONG", 0), result.Columns.Single());
        Assert.Equal("1", rows.Single()[0]);
    }
}

internal static class FunctionalExtensions
{
    public static TOut Let<TIn, TOut>(this TIn value, Func<TIn, TOut> f) => f(value);
}
