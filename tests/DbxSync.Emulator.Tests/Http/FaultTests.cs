using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace DbxSync.Emulator.Tests.Http;

public sealed class FaultTests
{
    [Fact]
    public async Task Throttle_share_answers_429_with_retry_after_reproducibly()
    {
        async Task<List<int>> RunAsync()
        {
            await using var host = await EmulatorTestHost.StartAsync(options =>
            {
                options.Faults.ThrottleRate = 0.3;
                options.Faults.RetryAfterSeconds = 2;
                options.Faults.Seed = 42;
            });
            var statuses = new List<int>();
            for (var i = 0; i < 60; i++)
            {
                using var response = await host.Client.GetAsync("/api/2.0/sql/warehouses");
                statuses.Add((int)response.StatusCode);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter!.Delta);
                    var body = await EmulatorTestHost.ReadJsonAsync(response);
                    FixtureJson.AssertShape(FixtureJson.Load("errors/05_throttling_and_unavailable.json").At("http_429", "body"), body, exact: true);
                    Assert.Equal("REQUEST_LIMIT_EXCEEDED", body.GetProperty("error_code").GetString());
                }
            }
            return statuses;
        }

        var first = await RunAsync();
        var second = await RunAsync();
        Assert.Equal(first, second);
        Assert.InRange(first.Count(s => s == 429), 8, 30);
        Assert.All(first, s => Assert.Contains(s, new[] { 200, 429 }));
    }

    [Fact]
    public async Task Unavailable_share_and_path_prefix_filter()
    {
        await using var host = await EmulatorTestHost.StartAsync();
        host.Handle.Faults.UnavailableRate = 1;
        host.Handle.Faults.PathPrefixes = ["/api/2.1/unity-catalog"];

        using var uc = await host.Client.GetAsync("/api/2.1/unity-catalog/catalogs");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, uc.StatusCode);
        Assert.Equal("TEMPORARILY_UNAVAILABLE", (await EmulatorTestHost.ReadJsonAsync(uc)).GetProperty("error_code").GetString());
        Assert.NotNull(uc.Headers.RetryAfter);

        using var warehouses = await host.Client.GetAsync("/api/2.0/sql/warehouses");
        Assert.Equal(HttpStatusCode.OK, warehouses.StatusCode);
    }

    [Fact]
    public async Task Slow_statement_stays_running_for_the_delay()
    {
        await using var host = await EmulatorTestHost.StartAsync();
        host.Handle.Faults.StatementDelay = TimeSpan.FromMilliseconds(1500);
        host.Handle.Faults.SlowStatementMatch = "range";

        var fast = await host.ExecuteAsync("SELECT 1", waitTimeout: "5s");
        Assert.Equal("SUCCEEDED", fast.At("status", "state").GetString());

        var submitted = await host.ExecuteAsync("SELECT * FROM range(3)", waitTimeout: "0s");
        var id = submitted.GetProperty("statement_id").GetString()!;
        await Task.Delay(500);
        Assert.Equal("RUNNING", (await host.GetJsonAsync($"/api/2.0/sql/statements/{id}")).At("status", "state").GetString());
        Assert.Equal("SUCCEEDED", (await host.PollUntilTerminalAsync(id)).At("status", "state").GetString());
    }

    [Fact]
    public async Task Chunk_delay_holds_back_each_result_chunk_of_matching_statements()
    {
        await using var host = await EmulatorTestHost.StartAsync();
        var delay = TimeSpan.FromMilliseconds(800);
        host.Handle.Faults.Apply(new DbxSync.Emulator.Faults.FaultSettings { ChunkDelayMs = (long)delay.TotalMilliseconds, SlowStatementMatch = "range" });
        Assert.Equal(800, host.Handle.Faults.Snapshot().ChunkDelayMs);

        // The statement itself is not slowed; its chunks are, whichever way they are fetched.
        var inline = await host.ExecuteAsync("SELECT * FROM range(250)", waitTimeout: "10s");
        Assert.Equal("SUCCEEDED", inline.At("status", "state").GetString());
        var id = inline.GetProperty("statement_id").GetString()!;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var chunk = await host.GetJsonAsync($"/api/2.0/sql/statements/{id}/result/chunks/1");
        // Timers may fire a few milliseconds early against the stopwatch: the delay is checked to the nearest 25 ms.
        var held = delay - TimeSpan.FromMilliseconds(25);
        Assert.True(watch.Elapsed >= held, $"chunk 1 came after {watch.ElapsedMilliseconds} ms");
        Assert.Equal(100, chunk.GetProperty("row_count").GetInt64());

        var links = await host.ExecuteAsync("SELECT * FROM range(250)", waitTimeout: "10s", disposition: "EXTERNAL_LINKS");
        var link = links.At("result", "external_links")[0].GetProperty("external_link").GetString()!;
        using var anonymous = new HttpClient();
        watch.Restart();
        using var download = await anonymous.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.True(watch.Elapsed >= held, $"the external link answered after {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Delayed_chunks_stream_in_chunk_order_whatever_order_parallel_downloads_ask_in()
    {
        await using var host = await EmulatorTestHost.StartAsync();
        host.Handle.Faults.Apply(new DbxSync.Emulator.Faults.FaultSettings { ChunkDelayMs = 400, SlowStatementMatch = "range" });
        var result = await host.ExecuteAsync("SELECT * FROM range(250)", waitTimeout: "10s", disposition: "EXTERNAL_LINKS");
        var id = result.GetProperty("statement_id").GetString()!;
        var last = (await host.GetJsonAsync($"/api/2.0/sql/statements/{id}/result/chunks/2")).GetProperty("external_links")[0].GetProperty("external_link").GetString()!;
        var first = result.At("result", "external_links")[0].GetProperty("external_link").GetString()!;
        using var anonymous = new HttpClient();
        var watch = System.Diagnostics.Stopwatch.StartNew();

        // The last chunk is asked for first; the first chunk still comes first, one interval in, and the last after three.
        async Task<TimeSpan> DownloadAsync(string link) { using var r = await anonymous.GetAsync(link); r.EnsureSuccessStatusCode(); return watch.Elapsed; }
        var lastDone = DownloadAsync(last);
        await Task.Delay(50);
        var firstDone = DownloadAsync(first);

        Assert.InRange((await firstDone).TotalMilliseconds, 350, 1000);
        Assert.True(await lastDone >= TimeSpan.FromMilliseconds(1150), $"chunk 2 came after {(await lastDone).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Next_matching_statements_fail_part_way_without_reaching_the_engine()
    {
        await using var host = await EmulatorTestHost.StartAsync();
        host.Handle.Faults.FailNextStatements(2, "INSERT", TimeSpan.FromMilliseconds(100));

        for (var i = 0; i < 2; i++)
        {
            var failed = await host.ExecuteAsync("INSERT INTO main.sync.items VALUES (1)");
            Assert.Equal("FAILED", failed.At("status", "state").GetString());
            Assert.Equal("INTERNAL_ERROR", failed.At("status", "error", "error_code").GetString());
        }
        var third = await host.ExecuteAsync("INSERT INTO main.sync.items VALUES (1)");
        Assert.Equal("SUCCEEDED", third.At("status", "state").GetString());
        Assert.Equal(1, host.Engine.Inserts);
    }

    [Fact]
    public async Task The_nth_matching_statement_fails_with_the_chosen_error_class_and_sqlstate()
    {
        await using var host = await EmulatorTestHost.StartAsync();
        var response = await host.Client.PostAsJsonAsync("/emulator/faults", new
        {
            fail_next_statements = new { count = 1, match = "INSERT", after_ms = 0, error_class = "TABLE_OR_VIEW_ALREADY_EXISTS", sql_state = "42P07", skip = 1 },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.Equal("SUCCEEDED", (await host.ExecuteAsync("INSERT INTO main.sync.items VALUES (1)")).At("status", "state").GetString());
        var failed = await host.ExecuteAsync("INSERT INTO main.sync.items VALUES (2)");
        Assert.Equal("FAILED", failed.At("status", "state").GetString());
        Assert.Equal("BAD_REQUEST", failed.At("status", "error", "error_code").GetString());
        var message = failed.At("status", "error", "message").GetString()!;
        Assert.StartsWith("[TABLE_OR_VIEW_ALREADY_EXISTS]", message);
        Assert.EndsWith("SQLSTATE: 42P07", message);
        Assert.Equal("SUCCEEDED", (await host.ExecuteAsync("INSERT INTO main.sync.items VALUES (3)")).At("status", "state").GetString());
        Assert.Equal(2, host.Engine.Inserts);
    }

    [Fact]
    public async Task Connection_drop_after_commit_leaves_the_statement_executed()
    {
        await using var host = await EmulatorTestHost.StartAsync();
        host.Handle.Faults.DropConnectionAfterNextStatements(1, "INSERT");

        await Assert.ThrowsAsync<HttpRequestException>(() => host.PostStatementAsync("INSERT INTO main.sync.items VALUES (1)"));

        Assert.Equal(1, host.Engine.Inserts);
        Assert.Equal(1, host.Handle.Stats.StatementsWithPrefix("INSERT"));
        using var next = await host.PostStatementAsync("INSERT INTO main.sync.items VALUES (2)");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(2, host.Engine.Inserts);
    }

    [Fact]
    public async Task Admin_endpoint_tunes_faults_and_stats_count_routes_and_statements()
    {
        await using var host = await EmulatorTestHost.StartAsync();
        using (var set = await host.Anonymous.PostAsJsonAsync("/emulator/faults", new { throttle_rate = 1.0, retry_after_seconds = 7, token_lifetime_seconds = 60 }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            Assert.Equal(7, (await EmulatorTestHost.ReadJsonAsync(set)).GetProperty("retry_after_seconds").GetInt32());
        }
        using (var throttled = await host.Client.GetAsync("/api/2.0/sql/warehouses"))
            Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        using (var reset = await host.Anonymous.PostAsJsonAsync("/emulator/faults", new { reset = true }))
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);

        await host.ExecuteAsync("SELECT 1");
        await host.ExecuteAsync("select * from range(3)".Replace("select * from", "SELECT * FROM"));
        var stats = await EmulatorTestHost.ReadJsonAsync(await host.Anonymous.GetAsync("/emulator/stats"));
        Assert.Equal(2, stats.At("statements_by_prefix", "SELECT").GetInt64());
        Assert.Equal(2, stats.At("requests_by_route", "POST /api/2.0/sql/statements/").GetInt64());
        Assert.Equal(1, stats.At("requests_by_route", "GET /api/2.0/sql/warehouses").GetInt64());

        using var bad = await host.Anonymous.PostAsJsonAsync("/emulator/faults", new { throttle_rate = 3.0 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Admin_endpoint_requires_the_admin_token_when_configured()
    {
        await using var host = await EmulatorTestHost.StartAsync(options => options.AdminToken = "let-me-in");
        using var denied = await host.Anonymous.GetAsync("/emulator/stats");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/emulator/stats");
        request.Headers.Add("X-Emulator-Admin-Token", "let-me-in");
        using var allowed = await host.Anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task Token_lifetime_fault_shortens_new_tokens()
    {
        await using var host = await EmulatorTestHost.StartAsync();
        host.Handle.Faults.TokenLifetimeOverride = TimeSpan.FromSeconds(5);
        using var response = await host.Anonymous.PostAsync("/oidc/v1/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = host.Handle.ClientId, ["client_secret"] = host.Handle.ClientSecret,
        }));
        Assert.Equal(5, (await EmulatorTestHost.ReadJsonAsync(response)).GetProperty("expires_in").GetInt32());
    }
}
