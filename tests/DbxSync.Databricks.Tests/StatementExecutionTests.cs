using System.Text.Json;
using System.Text.Json.Nodes;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Databricks.Tests.Infrastructure;

namespace DbxSync.Databricks.Tests;

public class StatementExecutionTests
{
    private const string Statements = "/api/2.0/sql/statements";

    private static async Task<List<string?[]>> ReadAll(IStatementResult result)
    {
        var rows = new List<string?[]>();
        await foreach (var row in result.ReadRowsAsync()) rows.Add(row);
        return rows;
    }

    [Fact]
    public async Task Inline_strings_and_nulls_are_returned_verbatim()
    {
        await using var t = await TestWorkspace.StartAsync();
        t.Server.OnJson("POST", Statements, Fixtures.ResponseBody("statements/01_execute_inline_succeeded_strings_nulls.json"));

        var result = await t.Workspace.ExecuteAsync("SELECT 1", options: TestWorkspace.Read);
        var rows = await ReadAll(result);

        Assert.Equal(["id", "test_string"], result.Columns.Select(c => c.Name));
        Assert.Equal(5, result.TotalRowCount);
        Assert.Equal("   leading and trailing spaces   ", rows[0][1]);
        Assert.Equal("こんにちは", rows[1][1]);
        Assert.Equal("string with \"double quotes\" inside", rows[3][1]);
        Assert.Equal(new string?[] { "5", null }, rows[4]);

        var post = t.Server.Requests.Single(r => r.Method == "POST" && r.PathAndQuery == Statements);
        using var body = JsonDocument.Parse(post.Body);
        Assert.Equal("dd43ee29fedd958d", body.RootElement.GetProperty("warehouse_id").GetString());
        Assert.Equal("INLINE", body.RootElement.GetProperty("disposition").GetString());
        Assert.Equal("JSON_ARRAY", body.RootElement.GetProperty("format").GetString());
        Assert.Equal("30s", body.RootElement.GetProperty("wait_timeout").GetString());
        Assert.Equal("CONTINUE", body.RootElement.GetProperty("on_wait_timeout").GetString());
        Assert.Equal("Bearer oauth-token-1", post.Headers["Authorization"]);
    }

    [Fact]
    public async Task Timestamps_keep_their_offset_and_null_column_is_parsed()
    {
        await using var t = await TestWorkspace.StartAsync();
        t.Server.OnJson("POST", Statements, Fixtures.ResponseBody("statements/02_execute_inline_succeeded_timestamps.json"));
        var rows = await ReadAll(await t.Workspace.ExecuteAsync("SELECT ts", options: TestWorkspace.Read));
        Assert.Equal(new DateTimeOffset(2021, 6, 15, 12, 34, 56, 789, TimeSpan.FromHours(-7)), DateTimeOffset.Parse(rows[1][1]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Null(rows[2][1]);

        t.Server.OnJson("POST", Statements, Fixtures.ResponseBody("statements/03_execute_inline_select_null.json"));
        var nullResult = await t.Workspace.ExecuteAsync("SELECT NULL", options: TestWorkspace.Read);
        Assert.Equal(new SqlColumn("NULL", "VOID", "NULL", 0), nullResult.Columns.Single());
        Assert.Equal([new string?[] { null }], await ReadAll(nullResult));
    }

    [Fact]
    public async Task Failed_statement_carries_error_class_and_sqlstate()
    {
        await using var t = await TestWorkspace.StartAsync();
        t.Server.OnJson("POST", Statements, Fixtures.ResponseBody("statements/04_execute_failed_syntax_error.json"));
        var e = await Assert.ThrowsAsync<WorkspaceException>(() => t.Workspace.ExecuteAsync("INSER INTO x", options: TestWorkspace.Write));
        Assert.Equal(WorkspaceErrorKind.SqlError, e.Kind);
        Assert.Equal("BAD_REQUEST", e.ErrorCode);
        Assert.Equal("PARSE_SYNTAX_ERROR", e.ErrorClass);
        Assert.Equal("42601", e.SqlState);
        Assert.False(e.IsTransient);

        t.Server.OnJson("POST", Statements, Fixtures.Node("statements/13_docs_response_samples.json", "execute_failed_syntax_error"));
        var docs = await Assert.ThrowsAsync<WorkspaceException>(() => t.Workspace.ExecuteAsync("x", options: TestWorkspace.Read));
        Assert.Equal("PARSE_SYNTAX_ERROR", docs.ErrorClass);
        Assert.Null(docs.SqlState);
    }

    [Fact]
    public async Task Sql_state_field_wins_over_message_text()
    {
        await using var t = await TestWorkspace.StartAsync();
        t.Server.OnJson("POST", Statements, """{"statement_id":"s1","status":{"state":"FAILED","sql_state":"KD002","error":{"error_code":"BAD_REQUEST","message":"[DELTA_MISSING_CHANGE_DATA] Error getting change data"}}}""");
        var e = await Assert.ThrowsAsync<WorkspaceException>(() => t.Workspace.ExecuteAsync("x", options: TestWorkspace.Read));
        Assert.Equal("DELTA_MISSING_CHANGE_DATA", e.ErrorClass);
        Assert.Equal("KD002", e.SqlState);
    }

    [Fact]
    public async Task Pending_then_running_then_succeeded_is_polled_with_backoff()
    {
        await using var t = await TestWorkspace.StartAsync();
        var id = "01ef9de2-e893-19cc-bb7e-9c955fbba9eb";
        t.Server.OnJson("POST", Statements, Fixtures.ResponseBody("statements/07_execute_returns_pending.json"));
        t.Server.OnSequence("GET", $"{Statements}/{id}",
            c => ScriptedServer.Json(c, Fixtures.ResponseBody("statements/08_get_statement_running.json")),
            c => ScriptedServer.Json(c, Fixtures.ResponseBody("statements/08_get_statement_running.json")),
            c => ScriptedServer.Json(c, Fixtures.ResponseBody("statements/08_get_statement_running.json")),
            c => ScriptedServer.Json(c, Fixtures.ResponseBody("statements/09_get_statement_succeeded_ddl_no_rows.json")));

        var result = await t.Workspace.ExecuteAsync("CREATE TABLE x (id INT)", options: TestWorkspace.Write);

        Assert.Equal(id, result.StatementId);
        Assert.Empty(result.Columns);
        Assert.Empty(await ReadAll(result));
        Assert.Equal(4, t.Server.Count("GET", $"{Statements}/{id}"));
        Assert.Equal([250, 500, 1000, 2000], t.Time.Waits.Select(w => (int)w.TotalMilliseconds));
    }

    [Fact]
    public async Task Zero_rows_has_columns_and_no_data()
    {
        await using var t = await TestWorkspace.StartAsync();
        t.Server.OnJson("POST", Statements, Fixtures.ResponseBody("statements/10_execute_select_zero_rows.json"));
        var progress = new List<long>();
        var result = await t.Workspace.ExecuteAsync("SELECT *", options: TestWorkspace.Read with { RowProgress = new SyncProgress(progress) });
        Assert.Equal(["id", "col1", "col2"], result.Columns.Select(c => c.Name));
        Assert.Empty(await ReadAll(result));
        Assert.Equal(0, result.TotalRowCount);
    }

    [Fact]
    public async Task Insert_with_parameters_sends_named_markers_and_omits_null_values()
    {
        await using var t = await TestWorkspace.StartAsync();
        t.Server.OnJson("POST", Statements, Fixtures.ResponseBody("statements/12_execute_insert_with_parameters.json"));

        var result = await t.Workspace.ExecuteAsync("INSERT INTO t VALUES (:id, :a, :b)",
            [new SqlParameter("id", "6", "INT"), new SqlParameter("a", null), new SqlParameter("b", "value1")], TestWorkspace.Write);

        Assert.Equal(["num_affected_rows", "num_inserted_rows"], result.Columns.Select(c => c.Name));
        Assert.Equal([new string?[] { "1", "1" }], await ReadAll(result));
        var parameters = JsonNode.Parse(t.Server.Requests.Single(r => r.Method == "POST" && r.PathAndQuery == Statements).Body)!["parameters"]!.AsArray();
        Assert.Equal("""{"name":"id","value":"6","type":"INT"}""", parameters[0]!.ToJsonString());
        Assert.Equal("""{"name":"a","type":"STRING"}""", parameters[1]!.ToJsonString());
    }

    [Fact]
    public async Task A_json_parameter_goes_out_with_json_escapes_only_not_html_safe_ones()
    {
        await using var t = await TestWorkspace.StartAsync();
        t.Server.OnJson("POST", Statements, Fixtures.ResponseBody("statements/12_execute_insert_with_parameters.json"));
        const string rows = """[{"c0":"tschüß <b>&'","c1":"a \"quoted\" line\n"}]""";

        await t.Workspace.ExecuteAsync("INSERT INTO t SELECT * FROM inline(from_json(:rows, 'ARRAY<STRUCT<c0: STRING, c1: STRING>>'))",
            [new SqlParameter("rows", rows)], TestWorkspace.Write);

        var body = t.Server.Requests.Single(r => r.Method == "POST" && r.PathAndQuery == Statements).Body;
        Assert.Contains("""[{\"c0\":\"tschüß <b>&'\",""", body);
        Assert.DoesNotContain("\\u0022", body);
        Assert.Equal(rows, JsonNode.Parse(body)!["parameters"]![0]!["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_parameter_name_is_refused_before_sending()
    {
        await using var t = await TestWorkspace.StartAsync();
        await Assert.ThrowsAsync<ValidationException>(() => t.Workspace.ExecuteAsync("SELECT :x", [new SqlParameter("x; DROP", "1")], TestWorkspace.Read));
        Assert.DoesNotContain(t.Server.Requests, r => r.PathAndQuery.StartsWith(Statements));
    }

    [Fact]
    public async Task Inline_result_follows_next_chunk_links_across_chunks()
    {
        await using var t = await TestWorkspace.StartAsync();
        t.Server.OnJson("POST", Statements, """
            {"statement_id":"s-multi","status":{"state":"SUCCEEDED"},
             "manifest":{"format":"JSON_ARRAY","schema":{"column_count":2,"columns":[{"name":"b","type_text":"STRING","type_name":"STRING","position":1},{"name":"a","type_text":"INT","type_name":"INT","position":0}]},"total_chunk_count":3,"total_row_count":4},
             "result":{"chunk_index":0,"row_count":2,"data_array":[["1","x"],["2",null]],"next_chunk_index":1,"next_chunk_internal_link":"/api/2.0/sql/statements/s-multi/result/chunks/1?row_offset=2"}}
            """);
        t.Server.OnJson("GET", $"{Statements}/s-multi/result/chunks/1", """{"chunk_index":1,"row_count":1,"data_array":[["3","y"]],"next_chunk_index":2}""");
        t.Server.OnJson("GET", $"{Statements}/s-multi/result/chunks/2", """{"chunk_index":2,"row_count":1,"data_array":[["4","z"]]}""");

        var progress = new List<long>();
        var result = await t.Workspace.ExecuteAsync("SELECT", options: TestWorkspace.Read with { RowProgress = new SyncProgress(progress) });
        var rows = await ReadAll(result);

        Assert.Equal(["a", "b"], result.Columns.Select(c => c.Name));
        Assert.Equal(["1", "2", "3", "4"], rows.Select(r => r[0]));
        Assert.Equal([2L, 3L, 4L], progress);
        Assert.Contains(t.Server.Requests, r => r.PathAndQuery == $"{Statements}/s-multi/result/chunks/1?row_offset=2");
    }

    [Fact]
    public async Task Cancelling_the_caller_sends_cancel_and_stops()
    {
        await using var t = await TestWorkspace.StartAsync();
        var id = "01ef9de2-e893-19cc-bb7e-9c955fbba9eb";
        t.Server.OnJson("POST", Statements, Fixtures.ResponseBody("statements/07_execute_returns_pending.json"));
        using var cts = new CancellationTokenSource();
        t.Server.On("GET", $"{Statements}/{id}", async (ctx, _) =>
        {
            cts.Cancel();
            await ScriptedServer.Json(ctx, Fixtures.ResponseBody("statements/08_get_statement_running.json"));
        });
        t.Server.On("POST", $"{Statements}/{id}/cancel", (ctx, _) => ScriptedServer.Json(ctx, "{}"));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => t.Workspace.ExecuteAsync("SELECT slow", options: TestWorkspace.Read, cancellationToken: cts.Token));
        Assert.Equal(1, t.Server.Count("POST", $"{Statements}/{id}/cancel"));
    }

    [Theory]
    [InlineData("CANCELED")]
    [InlineData("CLOSED")]
    public async Task Canceled_or_closed_statement_is_an_error(string state)
    {
        await using var t = await TestWorkspace.StartAsync();
        t.Server.OnJson("POST", Statements, "{\"statement_id\":\"s\",\"status\":{\"state\":\"" + state + "\"}}");
        var e = await Assert.ThrowsAsync<WorkspaceException>(() => t.Workspace.ExecuteAsync("x", options: TestWorkspace.Read));
        Assert.Equal(WorkspaceErrorKind.Other, e.Kind);
        Assert.Equal(state, e.ErrorCode);
    }

    [Fact]
    public async Task Missing_warehouse_is_a_bad_request()
    {
        await using var t = await TestWorkspace.StartAsync();
        var e = await Assert.ThrowsAsync<WorkspaceException>(() => t.Workspace.ExecuteAsync("x"));
        Assert.Equal(WorkspaceErrorKind.BadRequest, e.Kind);
    }

    private sealed class SyncProgress(List<long> sink) : IProgress<long>
    {
        public void Report(long value) { lock (sink) sink.Add(value); }
    }
}
