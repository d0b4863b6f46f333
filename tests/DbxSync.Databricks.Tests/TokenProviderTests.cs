using System.Net;
using System.Text;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Databricks.Auth;
using DbxSync.Databricks.Tests.Infrastructure;

namespace DbxSync.Databricks.Tests;

public class TokenProviderTests
{
    private static readonly Uri Workspace = new("https://adb-1.2.azuredatabricks.net/");

    /// <summary>A workspace without host metadata or discovery document; <paramref name="answer"/> answers the n-th token POST.</summary>
    private static (OAuthM2MTokenProvider Provider, TokenPosts Transport) Create(ManualTimeProvider time, Func<int, (HttpStatusCode, string)> answer, TimeSpan? delay = null)
    {
        var posts = 0;
        var transport = new CountingHandler(async (request, _) =>
        {
            if (request.Method == HttpMethod.Get)
                return TestWorkspace.JsonResponse(HttpStatusCode.NotFound, """{"error_code":"ENDPOINT_NOT_FOUND","message":"not found"}""");
            if (delay is { } d) await Task.Delay(d);
            var (status, json) = answer(Interlocked.Increment(ref posts));
            return TestWorkspace.JsonResponse(status, json);
        });
        var options = new DatabricksClientOptions { TimeProvider = time, HttpMessageHandlerFactory = () => transport };
        var http = new Http.DatabricksTransport(options);
        return (new OAuthM2MTokenProvider(Workspace, TestWorkspace.ClientId, TestWorkspace.ClientSecret, http.Anonymous, new WorkspaceUrlValidator(), time),
            new TokenPosts(transport, () => posts));
    }

    private sealed record TokenPosts(CountingHandler Handler, Func<int> Posts)
    {
        public int Count => Posts();
        public IEnumerable<HttpRequestMessage> Seen => Handler.Seen.Where(r => r.Method == HttpMethod.Post);
    }

    [Fact]
    public async Task Fifty_concurrent_callers_share_one_token_request()
    {
        var (provider, transport) = Create(new ManualTimeProvider(), n => (HttpStatusCode.OK, Fixtures.Node("auth/03_token_response.json", "cli_fake")), TimeSpan.FromMilliseconds(100));
        var tokens = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => provider.GetTokenAsync().AsTask())));
        Assert.All(tokens, t => Assert.Equal("oauth-token", t));
        Assert.Equal(1, transport.Count);
        // Discovery ran once too (host metadata, then {host}/oidc's discovery document), both 404 here.
        Assert.Equal(["/.well-known/databricks-config", "/oidc/.well-known/oauth-authorization-server"],
            transport.Handler.Seen.Where(r => r.Method == HttpMethod.Get).Select(r => r.RequestUri!.AbsolutePath));

        var request = transport.Seen.Single();
        Assert.Equal("/oidc/v1/token", request.RequestUri!.AbsolutePath);
        Assert.Equal("Basic", request.Headers.Authorization!.Scheme);
        Assert.Equal($"{TestWorkspace.ClientId}:{TestWorkspace.ClientSecret}", Encoding.UTF8.GetString(Convert.FromBase64String(request.Headers.Authorization.Parameter!)));
    }

    [Fact]
    public async Task Token_is_renewed_within_the_margin_before_expiry()
    {
        var time = new ManualTimeProvider();
        var (provider, transport) = Create(time, n => (HttpStatusCode.OK, $$"""{"access_token":"t{{n}}","token_type":"Bearer","expires_in":3600}"""));
        Assert.Equal("t1", await provider.GetTokenAsync());
        time.Advance(TimeSpan.FromMinutes(54));
        Assert.Equal("t1", await provider.GetTokenAsync());
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal("t2", await provider.GetTokenAsync());
        time.Advance(TimeSpan.FromHours(2));
        Assert.Equal("t3", await provider.GetTokenAsync());
        Assert.Equal(3, transport.Count);
    }

    [Fact]
    public async Task Short_tokens_renew_at_half_their_lifetime_and_string_expiry_is_read()
    {
        var time = new ManualTimeProvider();
        var (provider, _) = Create(time, n => (HttpStatusCode.OK, $$"""{"access_token":"t{{n}}","expires_in":"120"}"""));
        Assert.Equal("t1", await provider.GetTokenAsync());
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal("t1", await provider.GetTokenAsync());
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("t2", await provider.GetTokenAsync());
    }

    [Theory]
    [InlineData("java_sdk_stub", "invalid_client", 401)]
    [InlineData("java_sdk_stub", "invalid_client", 400)]
    [InlineData("dbt_issue_1067_real", "invalid_request", 400)]
    public async Task Credential_errors_name_the_client_but_never_the_secret(string sample, string code, int status)
    {
        var (provider, _) = Create(new ManualTimeProvider(), _ => ((HttpStatusCode)status, Fixtures.Node("auth/04_token_error_responses.json", sample)));
        var e = await Assert.ThrowsAsync<DatabricksRequestFailedException>(() => provider.GetTokenAsync().AsTask());
        Assert.Equal(WorkspaceErrorKind.InvalidCredentials, e.Kind);
        Assert.Equal(code, e.ErrorCode);
        Assert.Contains(TestWorkspace.ClientId, e.Message);
        Assert.DoesNotContain(TestWorkspace.ClientSecret, e.ToString());
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestWorkspace.ClientId}:{TestWorkspace.ClientSecret}")), e.ToString());
    }

    [Fact]
    public async Task Token_endpoint_throttling_is_retried()
    {
        var (provider, transport) = Create(new ManualTimeProvider(), n => n < 3
            ? (HttpStatusCode.ServiceUnavailable, """{"error_code":"TEMPORARILY_UNAVAILABLE","message":"x"}""")
            : (HttpStatusCode.OK, Fixtures.Node("auth/03_token_response.json", "python_sdk_stub")));
        Assert.Equal("test-token", await provider.GetTokenAsync());
        Assert.Equal(3, transport.Count);
    }

    [Fact]
    public async Task Invalid_access_token_on_a_call_renews_the_token_and_retries_once()
    {
        await using var t = await TestWorkspace.StartAsync();
        var tokenRequests = 0;
        t.Server.On("POST", "/oidc/v1/token", (ctx, _) => ScriptedServer.Json(ctx, $$"""{"access_token":"tok-{{Interlocked.Increment(ref tokenRequests)}}","expires_in":3600}"""));
        t.Server.On("GET", "/api/2.0/sql/warehouses", (ctx, _) => ctx.Request.Headers.Authorization == "Bearer tok-1"
            ? ScriptedServer.Json(ctx, Fixtures.ResponseBody("errors/02_http_403_invalid_access_token.json"), 403)
            : ScriptedServer.Json(ctx, """{"warehouses":[]}"""));

        await foreach (var _ in t.Workspace.ListWarehousesAsync()) { }
        Assert.Equal(2, tokenRequests);
        Assert.Equal(2, t.Server.Count("GET", "/api/2.0/sql/warehouses"));
    }

    [Fact]
    public async Task Verify_credentials_surfaces_invalid_client_as_workspace_exception()
    {
        await using var t = await TestWorkspace.StartAsync();
        t.Server.OnJson("POST", "/oidc/v1/token", Fixtures.Node("auth/04_token_error_responses.json", "java_sdk_stub"), 401);
        var e = await Assert.ThrowsAsync<WorkspaceException>(() => t.Workspace.VerifyCredentialsAsync());
        Assert.Equal(WorkspaceErrorKind.InvalidCredentials, e.Kind);
        Assert.DoesNotContain(TestWorkspace.ClientSecret, e.ToString());
    }

    [Fact]
    public async Task Sessions_of_one_principal_share_the_token()
    {
        await using var t = await TestWorkspace.StartAsync();
        t.Server.OnJson("GET", "/api/2.0/sql/warehouses", """{"warehouses":[]}""");
        var other = t.Connector.Connect(t.Credentials());
        await t.Workspace.VerifyCredentialsAsync();
        await other.VerifyCredentialsAsync();
        Assert.Equal(1, t.Server.Count("POST", "/oidc/v1/token"));
    }
}
