using System.Net;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Databricks.Adapters;
using DbxSync.Databricks.Tests.Infrastructure;

namespace DbxSync.Databricks.Tests;

public class RetryAndErrorTests
{
    private const string Warehouses = "/api/2.0/sql/warehouses";

    private static Func<Microsoft.AspNetCore.Http.HttpContext, Task> Fixture(string name, string key, IDictionary<string, string>? headers = null) =>
        ctx => ScriptedServer.Json(ctx, Fixtures.Node(name, key, "body"), int.Parse(Fixtures.Node(name, key, "status")), headers);

    [Fact]
    public async Task Throttling_burst_honours_retry_after_then_succeeds()
    {
        await using var t = await TestWorkspace.StartAsync();
        var retryAfter = new Dictionary<string, string> { ["Retry-After"] = "2" };
        t.Server.OnSequence("GET", Warehouses,
            Fixture("errors/05_throttling_and_unavailable.json", "http_429", retryAfter),
            Fixture("errors/05_throttling_and_unavailable.json", "http_429", retryAfter),
            Fixture("errors/05_throttling_and_unavailable.json", "http_503", new Dictionary<string, string> { ["Retry-After"] = "3" }),
            ctx => ScriptedServer.Json(ctx, """{"warehouses":[{"id":"dd43ee29fedd958d","name":"Serverless","state":"RUNNING"}]}"""));

        var list = new List<WarehouseSummary>();
        await foreach (var w in t.Workspace.ListWarehousesAsync()) list.Add(w);

        Assert.Equal(new WarehouseSummary("dd43ee29fedd958d", "Serverless", "RUNNING"), list.Single());
        Assert.Equal(4, t.Server.Count("GET", Warehouses));
        Assert.Equal([2.0, 2.0, 3.0], t.Time.Waits.Select(w => w.TotalSeconds));
    }

    [Fact]
    public async Task Exhausted_throttle_budget_surfaces_the_error()
    {
        await using var t = await TestWorkspace.StartAsync(o => new DatabricksClientOptions
        {
            AllowedWorkspaceHosts = o.AllowedWorkspaceHosts, TimeProvider = o.TimeProvider, MaxThrottleAttempts = 3,
        });
        t.Server.On("GET", Warehouses, (ctx, _) => Fixture("errors/05_throttling_and_unavailable.json", "http_503")(ctx));

        var e = await Assert.ThrowsAsync<WorkspaceException>(async () => { await foreach (var _ in t.Workspace.ListWarehousesAsync()) { } });
        Assert.Equal(WorkspaceErrorKind.Unreachable, e.Kind);
        Assert.True(e.IsTransient);
        Assert.Equal("TEMPORARILY_UNAVAILABLE", e.ErrorCode);
        Assert.Equal(3, t.Server.Count("GET", Warehouses));
    }

    [Fact]
    public async Task Retry_after_beyond_the_time_budget_is_not_waited_for()
    {
        await using var t = await TestWorkspace.StartAsync();
        // The recorded Retry-After of 100 s fits the 3 min budget, so it would be waited for; a 1 h one must not.
        t.Server.On("GET", Warehouses, (ctx, _) => Fixture("errors/05_throttling_and_unavailable.json", "http_429", new Dictionary<string, string> { ["Retry-After"] = "3600" })(ctx));
        var e = await Assert.ThrowsAsync<WorkspaceException>(async () => { await foreach (var _ in t.Workspace.ListWarehousesAsync()) { } });
        Assert.Equal(WorkspaceErrorKind.Throttled, e.Kind);
        Assert.Equal(1, t.Server.Count("GET", Warehouses));
    }

    [Theory]
    [InlineData("errors/01_http_401_no_credential.json", WorkspaceErrorKind.InvalidCredentials, "401")]
    [InlineData("errors/02_http_403_invalid_access_token.json", WorkspaceErrorKind.InvalidCredentials, "403")]
    [InlineData("errors/03_http_404_resource_does_not_exist_with_details.json", WorkspaceErrorKind.NotFound, "RESOURCE_DOES_NOT_EXIST")]
    [InlineData("errors/04_http_400_io_error_with_details.json", WorkspaceErrorKind.BadRequest, "IO_ERROR")]
    public async Task Recorded_errors_map_to_kinds(string fixture, WorkspaceErrorKind kind, string code)
    {
        await using var t = await TestWorkspace.StartAsync(auth: WorkspaceAuthType.PersonalAccessToken);
        var headers = new Dictionary<string, string> { ["x-request-id"] = "req-123" };
        t.Server.OnJson("GET", Warehouses, Fixtures.ResponseBody(fixture), Fixtures.ResponseStatus(fixture), headers);

        var e = await Assert.ThrowsAsync<WorkspaceException>(async () => { await foreach (var _ in t.Workspace.ListWarehousesAsync()) { } });
        Assert.Equal(kind, e.Kind);
        Assert.Equal(code, e.ErrorCode);
        Assert.Equal(Fixtures.ResponseStatus(fixture), e.Status);
        Assert.Contains("req-123", e.Message);
        Assert.DoesNotContain("timeout=90&recursive", e.Message);
        Assert.DoesNotContain("dapi0123456789", e.ToString());
        var inner = Assert.IsType<DatabricksRequestFailedException>(e.InnerException);
        Assert.Equal("req-123", inner.RequestId);
    }

    [Fact]
    public async Task Html_and_empty_bodies_fall_back_to_status_text()
    {
        await using var t = await TestWorkspace.StartAsync();
        t.Server.OnJson("GET", Warehouses, "<html><body><pre>Bad gateway from proxy</pre></body></html>", 502);
        var e = await Assert.ThrowsAsync<WorkspaceException>(async () => { await foreach (var _ in t.Workspace.ListWarehousesAsync()) { } });
        Assert.Contains("Bad gateway from proxy", e.Message);
        Assert.True(e.IsTransient);

        t.Server.OnJson("GET", Warehouses, "", 418);
        var empty = await Assert.ThrowsAsync<WorkspaceException>(async () => { await foreach (var _ in t.Workspace.ListWarehousesAsync()) { } });
        Assert.Equal(WorkspaceErrorKind.Other, empty.Kind);
        Assert.Equal(418, empty.Status);
    }

    [Fact]
    public async Task Files_error_reason_is_kept()
    {
        await using var t = await TestWorkspace.StartAsync();
        t.Server.OnJson("PUT", "/api/2.0/fs/directories/Volumes/main/default/vol/d", Fixtures.Node("files/03_files_api_error_details_shape.json", "delete_directory_not_empty", "body"), 400);
        var e = await Assert.ThrowsAsync<WorkspaceException>(() => t.Workspace.CreateDirectoryAsync("/Volumes/main/default/vol/d"));
        Assert.Equal(WorkspaceErrorKind.BadRequest, e.Kind);
        Assert.Equal("FILES_API_DIRECTORY_IS_NOT_EMPTY", ((DatabricksRequestFailedException)e.InnerException!).Reason);
    }

    private static DatabricksConnector FakeConnector(CountingHandler transport, ManualTimeProvider time) =>
        new(new DatabricksClientOptions { HttpMessageHandlerFactory = () => transport, TimeProvider = time });

    private static readonly WorkspaceCredentials FakeCredentials =
        new("https://adb-1.2.azuredatabricks.net", WorkspaceAuthType.OAuthM2M, TestWorkspace.ClientId, TestWorkspace.ClientSecret, "sp");

    private static Task<HttpResponseMessage> Ok(string json) =>
        Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") });

    [Fact]
    public async Task Write_statement_is_not_resubmitted_after_a_dropped_connection()
    {
        var posts = 0;
        var transport = new CountingHandler((request, _) =>
        {
            if (TestWorkspace.AnswerAuth(request) is { } auth) return auth;
            Interlocked.Increment(ref posts);
            throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
        });
        using var connector = FakeConnector(transport, new ManualTimeProvider());
        var workspace = connector.Connect(FakeCredentials);

        var e = await Assert.ThrowsAsync<WorkspaceException>(() => workspace.ExecuteAsync("MERGE INTO t USING s ON ...", options: TestWorkspace.Write));
        Assert.Equal(WorkspaceErrorKind.Other, e.Kind);
        Assert.False(e.IsTransient);
        Assert.Contains("outcome unknown", e.Message);
        Assert.Equal(1, posts);
    }

    [Fact]
    public async Task Read_statement_is_resubmitted_after_a_dropped_connection()
    {
        var posts = 0;
        var transport = new CountingHandler((request, _) =>
        {
            if (TestWorkspace.AnswerAuth(request) is { } auth) return auth;
            if (Interlocked.Increment(ref posts) == 1) throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
            return Ok(Fixtures.ResponseBody("statements/03_execute_inline_select_null.json"));
        });
        using var connector = FakeConnector(transport, new ManualTimeProvider());
        var result = await connector.Connect(FakeCredentials).ExecuteAsync("SELECT NULL", options: TestWorkspace.Read);
        Assert.Equal("NULL", result.Columns.Single().Name);
        Assert.Equal(2, posts);
    }

    [Fact]
    public async Task Write_statement_is_resent_when_the_connection_never_opened()
    {
        var posts = 0;
        var transport = new CountingHandler((request, _) =>
        {
            if (TestWorkspace.AnswerAuth(request) is { } auth) return auth;
            if (Interlocked.Increment(ref posts) == 1) throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");
            return Ok(Fixtures.ResponseBody("statements/12_execute_insert_with_parameters.json"));
        });
        using var connector = FakeConnector(transport, new ManualTimeProvider());
        await connector.Connect(FakeCredentials).ExecuteAsync("INSERT", options: TestWorkspace.Write);
        Assert.Equal(2, posts);
    }

    [Fact]
    public async Task Network_failure_on_reads_becomes_unreachable_after_the_error_budget()
    {
        var gets = 0;
        var transport = new CountingHandler((request, _) =>
        {
            if (TestWorkspace.AnswerAuth(request) is { } auth) return auth;
            Interlocked.Increment(ref gets);
            throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (adb-1.2.azuredatabricks.net:443)");
        });
        using var connector = FakeConnector(transport, new ManualTimeProvider());
        var e = await Assert.ThrowsAsync<WorkspaceException>(() => connector.Connect(FakeCredentials).GetTableAsync("main.default.t"));
        Assert.Equal(WorkspaceErrorKind.Unreachable, e.Kind);
        Assert.True(e.IsTransient);
        Assert.Equal(new DatabricksClientOptions().MaxErrorAttempts, gets);
    }
}
