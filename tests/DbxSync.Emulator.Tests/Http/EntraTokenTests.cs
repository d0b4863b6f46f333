using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DbxSync.EntraStandIn;
using DbxSync.Testing;

namespace DbxSync.Emulator.Tests.Http;

/// <summary>
/// Entra ID tokens as Azure Databricks takes them: only for principals added by application id, refusals in the
/// workspace's words for another tenant or resource, the management-token path for a Contributor, /aad/auth for
/// tenant discovery, and the SQL entitlement.
/// </summary>
public sealed class EntraTokenTests : IAsyncLifetime
{
    private EmulatorTestHost _host = null!;
    private EntraStandInInstance _entra = null!;

    public async Task InitializeAsync()
    {
        _entra = await EntraStandInInstance.GetAsync();
        _host = await EmulatorTestHost.StartAsync(options =>
        {
            options.Entra.Authority = _entra.Server.Authority;
            options.Entra.AuthorityCertificate = _entra.Server.Certificate;
            options.Entra.TenantId = EntraStandInInstance.WorkspaceTenantId;
        });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private AppRegistration NewApp(string? tenant = null) => _entra.Server.RegisterApplication(tenant ?? EntraStandInInstance.WorkspaceTenantId, "test");

    private Task<HttpResponseMessage> MeAsync(string token, Action<HttpRequestHeaders>? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/2.0/preview/scim/v2/Me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        headers?.Invoke(request.Headers);
        return _host.Anonymous.SendAsync(request);
    }

    private async Task AddAsync(string applicationId, params string[] entitlements) =>
        (await _host.Client.PostAsJsonAsync("/api/2.0/preview/scim/v2/ServicePrincipals",
            new { applicationId, entitlements = entitlements.Select(e => new { value = e }) })).EnsureSuccessStatusCode();

    [Fact]
    public async Task A_principal_added_by_application_id_is_accepted_and_is_its_application_id()
    {
        var app = NewApp();
        var token = _entra.Server.IssueToken(app, "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d");
        Assert.Equal(HttpStatusCode.Forbidden, (await MeAsync(token)).StatusCode);

        await AddAsync(app.ClientId, "workspace-access", "databricks-sql-access");
        using var response = await MeAsync(token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(app.ClientId, (await EmulatorTestHost.ReadJsonAsync(response)).GetProperty("userName").GetString());
    }

    [Fact]
    public async Task Unknown_principal_wrong_tenant_and_wrong_audience_get_the_workspaces_answers()
    {
        var unknown = NewApp();
        using var notAdded = await MeAsync(_entra.Server.IssueToken(unknown, "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d"));
        Assert.Equal(HttpStatusCode.Forbidden, notAdded.StatusCode);
        Assert.Equal("User not authorized.", (await EmulatorTestHost.ReadJsonAsync(notAdded)).GetProperty("message").GetString());

        var otherTenant = Guid.NewGuid().ToString();
        var foreign = NewApp(otherTenant);
        await AddAsync(foreign.ClientId, "workspace-access");
        using var wrongTenant = await MeAsync(_entra.Server.IssueToken(foreign, "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d"));
        Assert.Equal(HttpStatusCode.BadRequest, wrongTenant.StatusCode);
        Assert.Equal($"io.jsonwebtoken.IncorrectClaimException: Expected iss claim to be: https://sts.windows.net/{EntraStandInInstance.WorkspaceTenantId}/, but was: https://sts.windows.net/{otherTenant}/",
            (await EmulatorTestHost.ReadJsonAsync(wrongTenant)).GetProperty("message").GetString());

        var app = NewApp();
        await AddAsync(app.ClientId, "workspace-access");
        using var wrongAudience = await MeAsync(_entra.Server.IssueToken(app, "https://management.core.windows.net/"));
        Assert.Equal(HttpStatusCode.BadRequest, wrongAudience.StatusCode);
        Assert.Equal("io.jsonwebtoken.IncorrectClaimException: Expected aud claim to be: 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d, but was: https://management.core.windows.net/.",
            (await EmulatorTestHost.ReadJsonAsync(wrongAudience)).GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_token_with_a_forged_signature_is_an_invalid_access_token()
    {
        var app = NewApp();
        await AddAsync(app.ClientId, "workspace-access");
        var token = _entra.Server.IssueToken(app, "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d");
        var parts = token.Split('.');
        var claims = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Convert.FromBase64String(Pad(parts[1])))!;
        claims["appid"] = JsonSerializer.SerializeToElement(Guid.NewGuid().ToString());
        var forged = parts[0] + "." + AccessTokenIssuer.Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims)) + "." + parts[2];
        using var response = await MeAsync(forged);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Invalid access token.", (await EmulatorTestHost.ReadJsonAsync(response)).GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_contributor_with_the_management_headers_is_let_in_and_added()
    {
        var app = NewApp();
        var token = _entra.Server.IssueToken(app, "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d");
        var management = _entra.Server.IssueToken(app, "https://management.core.windows.net/");
        var resourceId = _host.Handle.Options.Entra.WorkspaceResourceId;
        void Headers(HttpRequestHeaders h)
        {
            h.Add("X-Databricks-Azure-SP-Management-Token", management);
            h.Add("X-Databricks-Azure-Workspace-Resource-Id", resourceId);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await MeAsync(token, Headers)).StatusCode); // no role on the workspace yet
        _host.Handle.Options.Entra.Contributors[app.ClientId] = true;
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(token, Headers)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(token)).StatusCode); // added on first use: the headers are no longer needed
    }

    [Fact]
    public async Task Sql_apis_need_the_databricks_sql_access_entitlement()
    {
        var app = NewApp();
        await AddAsync(app.ClientId, "workspace-access");
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/2.0/sql/warehouses");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _entra.Server.IssueToken(app, "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d"));
        using var response = await _host.Anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await EmulatorTestHost.ReadJsonAsync(response);
        Assert.Equal("PERMISSION_DENIED", body.GetProperty("error_code").GetString());
        Assert.Contains("databricks-sql-access", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Aad_auth_redirects_to_the_tenants_sign_in_without_credentials()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _host.Handle.BaseUrl };
        using var response = await client.GetAsync("/aad/auth");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(EntraStandInInstance.WorkspaceTenantId, response.Headers.Location!.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[0]);
    }

    private static string Pad(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return b.PadRight(b.Length + (4 - b.Length % 4) % 4, '=');
    }
}
