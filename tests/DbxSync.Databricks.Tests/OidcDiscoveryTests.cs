using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Databricks.Tests.Infrastructure;

namespace DbxSync.Databricks.Tests;

/// <summary>
/// How the client finds the token endpoint: host metadata, then the OIDC discovery document, as the SDKs do
/// (databricks-sdk-py config.py _resolve_host_metadata l. 631 + oauth.py get_endpoints_from_url l. 488;
/// databricks-sdk-go config/config.go resolveHostMetadata/getOidcEndpoints), and where the secret may go.
/// Metadata shapes: tests/fixtures/databricks/auth/05_host_metadata.json; discovery: shared auth/02.
/// </summary>
public class OidcDiscoveryTests
{
    /// <summary>The recorded discovery document with its placeholder host filled in (each field is a URL on that host).</summary>
    private static string Discovery(string host)
    {
        var body = Fixtures.Load("auth/02_oidc_discovery_response.json")["response"]!["body"]!.AsObject();
        foreach (var name in body.Select(p => p.Key).ToList())
            body[name] = body[name]!.GetValue<string>().Replace("https://<workspace-host>", host);
        return body.ToJsonString();
    }

    [Fact]
    public async Task Token_endpoint_comes_from_host_metadata_and_discovery_and_only_the_token_post_carries_the_secret()
    {
        await using var t = await TestWorkspace.StartAsync();
        var host = t.Server.BaseUrl;
        t.Server.OnJson("GET", "/.well-known/databricks-config", Fixtures.LocalNode("auth/05_host_metadata.json", "workspace_cli_testserver").Replace("{host}", host));
        t.Server.OnJson("GET", "/oidc/.well-known/oauth-authorization-server", Discovery(host).Replace("/oidc/v1/token", "/oidc/v2/issued-token"));
        t.Server.OnJson("POST", "/oidc/v2/issued-token", TestWorkspace.TokenJson);
        t.Server.OnJson("GET", "/api/2.0/sql/warehouses", """{"warehouses":[]}""");

        await t.Workspace.VerifyCredentialsAsync();
        await t.Workspace.VerifyCredentialsAsync();

        var seen = t.Server.Requests.ToList();
        Assert.Equal(["GET /.well-known/databricks-config", "GET /oidc/.well-known/oauth-authorization-server", "POST /oidc/v2/issued-token"],
            seen.Select(r => $"{r.Method} {r.PathAndQuery}"));
        Assert.All(seen.Take(2), r => Assert.False(r.Headers.ContainsKey("Authorization")));
        Assert.StartsWith("Basic ", seen[2].Headers["Authorization"]);
    }

    [Fact]
    public async Task Older_workspace_without_metadata_or_discovery_uses_host_oidc_v1_token()
    {
        await using var t = await TestWorkspace.StartAsync();
        await t.Workspace.VerifyCredentialsAsync();
        Assert.Equal(["GET /.well-known/databricks-config", "GET /oidc/.well-known/oauth-authorization-server", "POST /oidc/v1/token"],
            t.Server.Requests.Select(r => $"{r.Method} {r.PathAndQuery}"));
    }

    [Theory]
    // The Go SDK's stub names a host outside the accepted Databricks domains: the secret must not follow it.
    [InlineData("metadata", "workspace_go_sdk_stub")]
    [InlineData("metadata", "{\"oidc_endpoint\":\"https://attacker.example.com/oidc\",\"workspace_id\":\"1\"}")]
    [InlineData("metadata", "{\"oidc_endpoint\":\"https://user:pw@adb-1.2.azuredatabricks.net/oidc\"}")]
    [InlineData("discovery", "{\"token_endpoint\":\"https://attacker.example.com/oidc/v1/token\"}")]
    [InlineData("discovery", "{\"token_endpoint\":\"http://169.254.169.254/token\"}")]
    public async Task Endpoints_off_the_workspace_and_off_databricks_domains_are_refused_before_anything_is_sent(string where, string document)
    {
        await using var t = await TestWorkspace.StartAsync();
        var json = document.StartsWith('{') ? document : Fixtures.LocalNode("auth/05_host_metadata.json", document);
        if (where == "metadata")
            t.Server.OnJson("GET", "/.well-known/databricks-config", json);
        else
            t.Server.OnJson("GET", "/oidc/.well-known/oauth-authorization-server", json);

        var e = await Assert.ThrowsAsync<WorkspaceException>(() => t.Workspace.VerifyCredentialsAsync());
        Assert.Equal(WorkspaceErrorKind.InvalidWorkspaceUrl, e.Kind);
        Assert.DoesNotContain(TestWorkspace.ClientSecret, e.ToString());
        Assert.Equal(0, t.Server.Count("POST", "/oidc/v1/token"));
        Assert.All(t.Server.Requests, r => Assert.False(r.Headers.ContainsKey("Authorization")));
    }

    [Fact]
    public async Task An_account_template_without_an_account_id_falls_back_to_the_workspace_oidc_root()
    {
        await using var t = await TestWorkspace.StartAsync();
        t.Server.OnJson("GET", "/.well-known/databricks-config", Fixtures.LocalNode("auth/05_host_metadata.json", "account_python_sdk_stub"));
        t.Server.OnJson("GET", "/oidc/.well-known/oauth-authorization-server", Discovery(t.Server.BaseUrl));
        await t.Workspace.VerifyCredentialsAsync();
        Assert.Equal(1, t.Server.Count("POST", "/oidc/v1/token"));
    }

    [Fact]
    public async Task Discovery_is_retried_after_a_throttled_attempt_not_cached_as_a_fallback()
    {
        await using var t = await TestWorkspace.StartAsync(o => new DatabricksClientOptions
        {
            AllowedWorkspaceHosts = o.AllowedWorkspaceHosts, TimeProvider = o.TimeProvider, MaxThrottleAttempts = 1,
        });
        t.Server.OnJson("GET", "/.well-known/databricks-config", """{"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"}""", 503);
        var e = await Assert.ThrowsAsync<WorkspaceException>(() => t.Workspace.VerifyCredentialsAsync());
        Assert.True(e.IsTransient);
        Assert.Equal(0, t.Server.Count("POST", "/oidc/v1/token"));

        t.Server.OnJson("GET", "/.well-known/databricks-config", Fixtures.LocalNode("auth/05_host_metadata.json", "workspace_cli_testserver").Replace("{host}", t.Server.BaseUrl));
        await t.Workspace.VerifyCredentialsAsync();
        Assert.Equal(1, t.Server.Count("POST", "/oidc/v1/token"));
    }
}
