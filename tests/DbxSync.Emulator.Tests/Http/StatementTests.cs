using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace DbxSync.Emulator.Tests.Http;

public sealed class StatementTests(SharedEmulator emulator) : IClassFixture<SharedEmulator>
{
    private EmulatorTestHost Host => emulator.Host;

    [Fact]
    public async Task Select_1_succeeds_inline_with_recorded_shape()
    {
        var body = await Host.ExecuteAsync("SELECT 1");

        var fixture = FixtureJson.Load("statements/01_execute_inline_succeeded_strings_nulls.json").At("response", "body");
        FixtureJson.AssertShape(fixture, body, exact: true);
        Assert.Equal("SUCCEEDED", body.At("status", "state").GetString());
        Assert.Equal("JSON_ARRAY", body.At("manifest", "format").GetString());
        Assert.Equal("1", body.At("result", "data_array")[0][0].GetString());
        Assert.False(body.At("manifest", "chunks")[0].TryGetProperty("byte_count", out _));
    }

    [Fact]
    public async Task Async_submit_reports_pending_then_polling_reaches_succeeded()
    {
        var submitted = await Host.ExecuteAsync("SLEEP 300", waitTimeout: "0s");
        FixtureJson.AssertShape(FixtureJson.Load("statements/07_execute_returns_pending.json").At("response", "body"), submitted, exact: true);
        Assert.Equal("PENDING", submitted.At("status", "state").GetString());

        var id = submitted.GetProperty("statement_id").GetString()!;
        var running = await Host.GetJsonAsync($"/api/2.0/sql/statements/{id}");
        Assert.Contains(running.At("status", "state").GetString(), new[] { "PENDING", "RUNNING" });

        var final = await Host.PollUntilTerminalAsync(id);
        Assert.Equal("SUCCEEDED", final.At("status", "state").GetString());
        Assert.Equal("true", final.At("result", "data_array")[0][0].GetString());
    }

    [Fact]
    public async Task Wait_timeout_returns_the_result_synchronously()
    {
        var body = await Host.ExecuteAsync("SLEEP 200", waitTimeout: "5s");
        Assert.Equal("SUCCEEDED", body.At("status", "state").GetString());
    }

    [Fact]
    public async Task Wait_timeout_with_continue_returns_running_when_slow()
    {
        var body = await Host.ExecuteAsync("SLEEP 6500", waitTimeout: "5s");
        Assert.Equal("RUNNING", body.At("status", "state").GetString());
        Assert.False(body.TryGetProperty("manifest", out _));
        await Host.PollUntilTerminalAsync(body.GetProperty("statement_id").GetString()!);
    }

    [Fact]
    public async Task Wait_timeout_with_cancel_cancels_the_statement()
    {
        using var response = await Host.PostStatementAsync("SLEEP 20000", waitTimeout: "5s", onWaitTimeout: "CANCEL");
        var body = await EmulatorTestHost.ReadJsonAsync(response);
        Assert.Equal("CANCELED", body.At("status", "state").GetString());
    }

    [Fact]
    public async Task Cancel_stops_a_running_statement()
    {
        var submitted = await Host.ExecuteAsync("SLEEP 20000", waitTimeout: "0s");
        var id = submitted.GetProperty("statement_id").GetString()!;

        using var cancel = await Host.Client.PostAsync($"/api/2.0/sql/statements/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);

        var final = await Host.PollUntilTerminalAsync(id, TimeSpan.FromSeconds(5));
        Assert.Equal("CANCELED", final.At("status", "state").GetString());
    }

    [Fact]
    public async Task Inline_results_span_many_chunks_fetched_by_next_chunk_index()
    {
        var body = await Host.ExecuteAsync("SELECT * FROM range(1050)");
        var manifest = body.GetProperty("manifest");
        Assert.Equal(11, manifest.GetProperty("total_chunk_count").GetInt32());
        Assert.Equal(1050, manifest.GetProperty("total_row_count").GetInt64());
        Assert.Equal(3, manifest.At("schema", "column_count").GetInt32());
        Assert.Equal("DECIMAL", manifest.At("schema", "columns")[2].GetProperty("type_name").GetString());
        Assert.Equal(10, manifest.At("schema", "columns")[2].GetProperty("type_precision").GetInt32());

        var rows = new List<JsonElement>();
        var chunk = body.GetProperty("result");
        var id = body.GetProperty("statement_id").GetString();
        while (true)
        {
            Assert.Equal(rows.Count, chunk.GetProperty("row_offset").GetInt64());
            rows.AddRange(chunk.GetProperty("data_array").EnumerateArray());
            if (!chunk.TryGetProperty("next_chunk_index", out var next))
                break;
            Assert.Equal($"/api/2.0/sql/statements/{id}/result/chunks/{next.GetInt32()}", chunk.GetProperty("next_chunk_internal_link").GetString());
            chunk = await Host.GetJsonAsync(chunk.GetProperty("next_chunk_internal_link").GetString()!);
            Assert.False(chunk.TryGetProperty("result", out _));
        }

        Assert.Equal(1050, rows.Count);
        Assert.Equal("1049", rows[^1][0].GetString());
        Assert.Equal(JsonValueKind.Null, rows[3][1].ValueKind);
        Assert.Equal("label \"4\" ü", rows[4][1].GetString());
        Assert.Single(Host.Engine.RowThreadIds.Distinct());
    }

    [Fact]
    public async Task Row_limit_truncates_and_says_so()
    {
        var body = await Host.ExecuteAsync("SELECT * FROM range(500)", rowLimit: 120);
        Assert.Equal(120, body.At("manifest", "total_row_count").GetInt64());
        Assert.True(body.At("manifest", "truncated").GetBoolean());
    }

    [Fact]
    public async Task Zero_rows_has_no_chunks_and_an_empty_result()
    {
        var body = await Host.ExecuteAsync("SELECT * FROM empty");
        var fixture = FixtureJson.Load("statements/10_execute_select_zero_rows.json").At("response", "body");
        FixtureJson.AssertShape(fixture, body, ignore: ["result_compression", "total_byte_count"]);

        Assert.Equal(0, body.At("manifest", "total_chunk_count").GetInt32());
        Assert.False(body.GetProperty("manifest").TryGetProperty("chunks", out _));
        Assert.Equal(3, body.At("manifest", "schema", "column_count").GetInt32());
        Assert.Equal("{}", body.GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task Ddl_has_column_count_0_and_an_empty_result()
    {
        var body = await Host.ExecuteAsync("CREATE TABLE main.sync.x (id BIGINT)");
        var fixture = FixtureJson.Load("statements/09_get_statement_succeeded_ddl_no_rows.json").At("response", "body");
        FixtureJson.AssertShape(fixture, body, ignore: ["result_compression", "total_byte_count"]);

        Assert.Equal("{\"column_count\":0}", body.At("manifest", "schema").GetRawText());
        Assert.Equal("{}", body.GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task Insert_returns_dml_counts_like_the_recording()
    {
        var body = await Host.ExecuteAsync("INSERT INTO main.sync.items VALUES (:id, :label)", parameters:
        [
            new { name = "id", value = "6", type = "BIGINT" },
            new { name = "label", type = "STRING" },
        ]);
        var fixture = FixtureJson.Load("statements/12_execute_insert_with_parameters.json").At("response", "body");
        FixtureJson.AssertShape(fixture, body, exact: true);
        Assert.Equal("num_inserted_rows", body.At("manifest", "schema", "columns")[1].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Parameters_reach_the_engine_with_null_for_omitted_values()
    {
        var body = await Host.ExecuteAsync("SELECT :a, :b, :c", parameters:
        [
            new { name = "a", value = "x", type = "STRING" },
            new { name = "b" },
            new Dictionary<string, object?> { ["name"] = "c", ["value"] = null, ["type"] = "INT" },
        ]);
        var row = body.At("result", "data_array")[0];
        Assert.Equal("x", row[0].GetString());
        Assert.Equal(JsonValueKind.Null, row[1].ValueKind);
        Assert.Equal(JsonValueKind.Null, row[2].ValueKind);
        Assert.Equal("STRING", body.At("manifest", "schema", "columns")[1].GetProperty("type_text").GetString());
    }

    [Fact]
    public async Task Engine_sees_the_caller_and_default_namespace()
    {
        var body = await Host.ExecuteAsync("SELECT current_user");
        Assert.Equal("emulator-user@example.com", body.At("result", "data_array")[0][0].GetString());

        var token = await Host.GetOAuthTokenAsync();
        using var client = new HttpClient { BaseAddress = Host.Handle.BaseUrl };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        using var response = await client.PostAsJsonAsync("/api/2.0/sql/statements",
            new { statement = "SELECT current_user", warehouse_id = Host.Handle.WarehouseId, catalog = "main", schema = "sync" });
        var spBody = await EmulatorTestHost.ReadJsonAsync(response);
        Assert.Equal(Host.Handle.ClientId, spBody.At("result", "data_array")[0][0].GetString());
    }

    [Fact]
    public async Task Sql_error_is_http_200_failed_with_class_and_sqlstate()
    {
        var body = await Host.ExecuteAsync("FAIL INTO t");
        FixtureJson.AssertShape(FixtureJson.Load("statements/04_execute_failed_syntax_error.json").At("response", "body"), body,
            exact: true, ignore: ["sql_state"]);
        Assert.Equal("FAILED", body.At("status", "state").GetString());
        Assert.Equal("BAD_REQUEST", body.At("status", "error", "error_code").GetString());
        Assert.Equal("[PARSE_SYNTAX_ERROR] Syntax error at or near 'FAIL'. SQLSTATE: 42601", body.At("status", "error", "message").GetString());
        Assert.Equal("42601", body.At("status", "sql_state").GetString());
    }

    [Fact]
    public async Task Error_while_streaming_rows_fails_the_statement_and_drops_partial_results()
    {
        var body = await Host.ExecuteAsync("FAIL AFTER 250 ROWS");
        Assert.Equal("FAILED", body.At("status", "state").GetString());
        Assert.StartsWith("[DIVIDE_BY_ZERO]", body.At("status", "error", "message").GetString());

        using var chunk = await Host.Client.GetAsync($"/api/2.0/sql/statements/{body.GetProperty("statement_id").GetString()}/result/chunks/0");
        Assert.Equal(HttpStatusCode.BadRequest, chunk.StatusCode);
    }

    [Theory]
    [InlineData("3s")]
    [InlineData("51s")]
    [InlineData("10")]
    [InlineData("abc")]
    public async Task Invalid_wait_timeout_is_rejected(string waitTimeout)
    {
        using var response = await Host.PostStatementAsync("SELECT 1", waitTimeout: waitTimeout);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await EmulatorTestHost.ReadJsonAsync(response);
        Assert.Equal("INVALID_PARAMETER_VALUE", body.GetProperty("error_code").GetString());
        Assert.Contains("wait_timeout", body.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("{\"statement\":\"SELECT 1\",\"warehouse_id\":\"WH\",\"format\":\"CSV\",\"disposition\":\"EXTERNAL_LINKS\"}", 400, "INVALID_PARAMETER_VALUE")]
    [InlineData("{\"statement\":\"SELECT 1\",\"warehouse_id\":\"WH\",\"disposition\":\"SIDEWAYS\"}", 400, "INVALID_PARAMETER_VALUE")]
    [InlineData("{\"warehouse_id\":\"WH\"}", 400, "INVALID_PARAMETER_VALUE")]
    [InlineData("{\"statement\":\"SELECT 1\",\"warehouse_id\":\"abcdef0123456789\"}", 404, "RESOURCE_DOES_NOT_EXIST")]
    [InlineData("{not json", 400, "MALFORMED_REQUEST")]
    public async Task Invalid_requests_get_an_error_envelope(string json, int status, string errorCode)
    {
        using var content = new StringContent(json.Replace("\"WH\"", $"\"{Host.Handle.WarehouseId}\""), System.Text.Encoding.UTF8, "application/json");
        using var response = await Host.Client.PostAsync("/api/2.0/sql/statements", content);
        Assert.Equal(status, (int)response.StatusCode);
        var body = await EmulatorTestHost.ReadJsonAsync(response);
        Assert.Equal(errorCode, body.GetProperty("error_code").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Unknown_statement_is_404()
    {
        using var response = await Host.Client.GetAsync("/api/2.0/sql/statements/01ef0000-0000-0000-0000-000000000000");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("RESOURCE_DOES_NOT_EXIST", (await EmulatorTestHost.ReadJsonAsync(response)).GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task Results_are_closed_after_retention_and_forgotten_later()
    {
        await using var host = await EmulatorTestHost.StartAsync(options =>
        {
            options.ResultRetention = TimeSpan.FromMilliseconds(300);
            options.StatementRetention = TimeSpan.FromSeconds(2);
        });
        var body = await host.ExecuteAsync("SELECT * FROM range(10)");
        var id = body.GetProperty("statement_id").GetString()!;

        await Task.Delay(700);
        host.Handle.SweepStatements();
        var closed = await host.GetJsonAsync($"/api/2.0/sql/statements/{id}");
        Assert.Equal("CLOSED", closed.At("status", "state").GetString());
        Assert.False(closed.TryGetProperty("result", out _));

        await Task.Delay(1600);
        host.Handle.SweepStatements();
        using var gone = await host.Client.GetAsync($"/api/2.0/sql/statements/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Large_results_are_spooled_to_disk_by_chunk()
    {
        await using var host = await EmulatorTestHost.StartAsync(options => options.ChunkRowCount = 10_000);
        var body = await host.ExecuteAsync("SELECT * FROM range(100000)", disposition: "EXTERNAL_LINKS");
        Assert.Equal(10, body.At("manifest", "total_chunk_count").GetInt32());
        var spool = Path.Combine(host.Handle.Options.DataDirectory, ".emulator", "results", body.GetProperty("statement_id").GetString()!);
        Assert.Equal(10, Directory.GetFiles(spool, "chunk-*.json").Length);
    }
}
