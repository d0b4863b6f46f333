using DbxSync.Core.Ports;
using DbxSync.Databricks.Adapters;

namespace DbxSync.Databricks.Tests.Infrastructure;

/// <summary>A connector pointed at a ScriptedServer, with fast polling and a manual clock.</summary>
public sealed class TestWorkspace : IAsyncDisposable
{
    public const string ClientId = "11111111-2222-3333-4444-555555555555";
    public const string ClientSecret = "dose-super-secret-value-0123456789";
    public const string TokenJson = """{"access_token":"oauth-token-1","token_type":"Bearer","expires_in":3600}""";

    public ScriptedServer Server { get; }
    public ManualTimeProvider Time { get; } = new();
    public DatabricksConnector Connector { get; }
    public IDatabricksWorkspace Workspace { get; }

    private TestWorkspace(ScriptedServer server, Func<DatabricksClientOptions, DatabricksClientOptions>? configure, WorkspaceAuthType auth)
    {
        Server = server;
        var options = new DatabricksClientOptions
        {
            AllowedWorkspaceHosts = [$"http://{server.HostAndPort}"],
            TimeProvider = Time,
            InitialPollInterval = TimeSpan.FromMilliseconds(250),
        };
        Connector = new DatabricksConnector(configure?.Invoke(options) ?? options);
        Workspace = Connector.Connect(Credentials(auth));
    }

    public WorkspaceCredentials Credentials(WorkspaceAuthType auth = WorkspaceAuthType.OAuthM2M) => auth == WorkspaceAuthType.OAuthM2M
        ? new WorkspaceCredentials(Server.BaseUrl, WorkspaceAuthType.OAuthM2M, ClientId, ClientSecret, "sp-" + ClientId)
        : new WorkspaceCredentials(Server.BaseUrl, WorkspaceAuthType.PersonalAccessToken, null, "dapi0123456789abcdef0123456789abcdef", "pat-user");

    public static async Task<TestWorkspace> StartAsync(Func<DatabricksClientOptions, DatabricksClientOptions>? configure = null, WorkspaceAuthType auth = WorkspaceAuthType.OAuthM2M)
    {
        var server = await ScriptedServer.StartAsync();
        server.OnJson("POST", "/oidc/v1/token", TokenJson);
        return new TestWorkspace(server, configure, auth);
    }

    /// <summary>
    /// For fake transports: answers the anonymous auth calls as an older workspace does (no host metadata, no
    /// discovery document, so the token comes from {host}/oidc/v1/token). Null for any other request.
    /// </summary>
    public static Task<HttpResponseMessage>? AnswerAuth(HttpRequestMessage request) => request.RequestUri!.AbsolutePath switch
    {
        "/oidc/v1/token" => Task.FromResult(JsonResponse(System.Net.HttpStatusCode.OK, TokenJson)),
        "/.well-known/databricks-config" or "/oidc/.well-known/oauth-authorization-server" =>
            Task.FromResult(JsonResponse(System.Net.HttpStatusCode.NotFound, """{"error_code":"ENDPOINT_NOT_FOUND","message":"not found"}""")),
        _ => null,
    };

    public static HttpResponseMessage JsonResponse(System.Net.HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };

    public static StatementOptions Read => new() { WarehouseId = "dd43ee29fedd958d" };
    public static StatementOptions Write => new() { WarehouseId = "dd43ee29fedd958d", IsWrite = true };

    public async ValueTask DisposeAsync()
    {
        Connector.Dispose();
        await Server.DisposeAsync();
    }
}
