using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DbxSync.Core.Ports;
using DbxSync.EntraStandIn;
using DbxSync.Functions.Tests.Infrastructure;
using DbxSync.Testing;
using Xunit;

namespace DbxSync.Functions.Tests;

/// <summary>
/// Each auth type end to end through the API, on the emulator playing an Azure Databricks workspace and the Entra
/// stand-in playing Microsoft Entra ID: register (the credential is proven), probe (export lag), export (a manual run),
/// import (a labeled file dropped in storage), each done as the principal itself, which the table's history shows.
/// The worker signs in with Azure.Identity's own ClientSecretCredential and ManagedIdentityCredential.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class AuthTypeEndToEndTests(ApiFixture fixture) : ApiTestBase(fixture)
{
    private const string Principals = "/api/databricks/service-principals";
    private const string Configs = "/api/databricks/sync-configs";

    [Fact]
    public async Task Databricks_oauth_registers_probes_exports_and_imports()
    {
        var principal = await RegisterAsync(new { auth_type = "databricks_oauth", workspace_url = Fixture.WorkspaceUrl, client_id = Fixture.ClientId, client_secret = Fixture.ClientSecret });
        await CycleAsync(principal, Fixture.ClientId);
    }

    [Fact]
    public async Task Pat_registers_probes_exports_and_imports()
    {
        var principal = await RegisterAsync(new { auth_type = "pat", workspace_url = Fixture.WorkspaceUrl, token = Fixture.PersonalAccessToken });
        await CycleAsync(principal, Fixture.Emulator.Handle!.Credentials.DefaultPersonalAccessToken.UserName);
    }

    [Fact]
    public async Task Entra_client_secret_with_the_tenant_discovered_registers_probes_exports_and_imports()
    {
        var app = Fixture.Entra.Server.RegisterApplication(EntraStandInInstance.WorkspaceTenantId, "labeling-entra");
        await AddToWorkspaceAsync(app.ClientId, "workspace-access", "databricks-sql-access");

        var principal = await RegisterAsync(new { auth_type = "entra_client_secret", workspace_url = Fixture.WorkspaceUrl, client_id = app.ClientId, client_secret = app.ClientSecret });
        Assert.Equal("entra_client_secret", principal.GetProperty("auth_type").GetString());
        Assert.Equal(JsonValueKind.Null, principal.GetProperty("tenant_id").ValueKind);
        Assert.DoesNotContain(app.ClientSecret, principal.ToString(), StringComparison.Ordinal);
        await CycleAsync(principal, app.ClientId);

        // Rotation proves the new secret against Entra and the workspace before it replaces the stored one.
        var secretRoute = $"{Principals}/{Id(principal)}/secret";
        await AssertProblemAsync(await Admin.PutAsync(secretRoute, Json(new { client_secret = "a-wrong-secret" })), HttpStatusCode.BadRequest, "invalid-credentials", "client_secret");
        Assert.Equal(HttpStatusCode.OK, (await Admin.PutAsync(secretRoute, Json(new { client_secret = app.ClientSecret }))).StatusCode);
    }

    [Fact]
    public async Task Managed_identity_goes_through_the_identity_endpoint_and_registers_probes_exports_and_imports()
    {
        var identity = Fixture.Entra.SystemAssigned;
        await AddToWorkspaceAsync(identity.ClientId, "workspace-access", "databricks-sql-access");
        var before = Fixture.Entra.Server.State.ManagedIdentityTokenCount;

        var principal = await RegisterAsync(new { auth_type = "managed_identity", workspace_url = Fixture.WorkspaceUrl });
        Assert.Equal("managed_identity", principal.GetProperty("auth_type").GetString());
        Assert.Equal(JsonValueKind.Null, principal.GetProperty("managed_identity_client_id").ValueKind);
        // ManagedIdentityCredential in the worker asked IDENTITY_ENDPOINT with IDENTITY_HEADER: nothing else hands out these tokens.
        Assert.True(Fixture.Entra.Server.State.ManagedIdentityTokenCount > before, "the worker never called the managed-identity endpoint");
        await CycleAsync(principal, identity.ClientId);
        // A managed identity has no secret to rotate.
        await AssertProblemAsync(await Admin.PutAsync($"{Principals}/{Id(principal)}/secret", Json(new { client_secret = "x" })), HttpStatusCode.BadRequest, "validation-error", "client_secret");
    }

    [Fact]
    public async Task A_user_assigned_identity_is_named_by_its_client_id()
    {
        var identity = Fixture.Entra.UserAssigned;
        await AddToWorkspaceAsync(identity.ClientId, "workspace-access", "databricks-sql-access");
        var principal = await RegisterAsync(new { auth_type = "managed_identity", workspace_url = Fixture.WorkspaceUrl, managed_identity_client_id = identity.ClientId });
        Assert.Equal(identity.ClientId, principal.GetProperty("managed_identity_client_id").GetString());
        var grants = await GrantsAsync(principal, "table");
        Assert.Equal(identity.ClientId, grants.GetProperty("principal").GetString());
    }

    [Fact]
    public async Task A_contributor_not_yet_in_the_workspace_gets_in_with_the_management_headers()
    {
        var app = Fixture.Entra.Server.RegisterApplication(EntraStandInInstance.WorkspaceTenantId, "contributor");
        var entra = Fixture.Emulator.Handle!.Options.Entra;
        entra.Contributors[app.ClientId] = true;
        var body = new { auth_type = "entra_client_secret", workspace_url = Fixture.WorkspaceUrl, client_id = app.ClientId, client_secret = app.ClientSecret, tenant_id = app.TenantId };

        // Without the resource id only the bearer token goes: the workspace does not know the principal.
        await AssertProblemAsync(await Admin.PostAsync(Principals, Json(body)), HttpStatusCode.BadRequest, "principal-not-in-workspace", "client_id");

        var principal = await RegisterAsync(new { body.auth_type, body.workspace_url, body.client_id, body.client_secret, body.tenant_id, azure_workspace_resource_id = entra.WorkspaceResourceId });
        Assert.Equal(entra.WorkspaceResourceId, principal.GetProperty("azure_workspace_resource_id").GetString());
        await CycleAsync(principal, app.ClientId);
    }

    [Fact]
    public async Task A_token_from_another_tenant_is_refused_as_wrong_tenant()
    {
        var otherTenant = Guid.NewGuid().ToString();
        var app = Fixture.Entra.Server.RegisterApplication(otherTenant, "elsewhere");
        await AddToWorkspaceAsync(app.ClientId, "workspace-access", "databricks-sql-access");
        var count = await PrincipalCountAsync();

        var problem = await AssertProblemAsync(await Admin.PostAsync(Principals, Json(new
        {
            auth_type = "entra_client_secret", workspace_url = Fixture.WorkspaceUrl, client_id = app.ClientId, client_secret = app.ClientSecret, tenant_id = otherTenant,
        })), HttpStatusCode.BadRequest, "wrong-tenant", "tenant_id");
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains($"Expected iss claim to be: https://sts.windows.net/{EntraStandInInstance.WorkspaceTenantId}/, but was: https://sts.windows.net/{otherTenant}/", detail);
        Assert.DoesNotContain(app.ClientSecret, problem.ToString(), StringComparison.Ordinal);
        Assert.Equal(count, await PrincipalCountAsync());
    }

    [Fact]
    public async Task An_entra_token_for_another_resource_is_refused_as_wrong_audience()
    {
        // The classic mistake: `az account get-access-token` without --resource gives an ARM token, pasted as a PAT.
        var app = Fixture.Entra.Server.RegisterApplication(EntraStandInInstance.WorkspaceTenantId, "arm-token");
        await AddToWorkspaceAsync(app.ClientId, "workspace-access", "databricks-sql-access");
        var armToken = Fixture.Entra.Server.IssueToken(app, "https://management.core.windows.net/");

        var problem = await AssertProblemAsync(await Admin.PostAsync(Principals, Json(new { auth_type = "pat", workspace_url = Fixture.WorkspaceUrl, token = armToken })),
            HttpStatusCode.BadRequest, "wrong-audience", "token");
        Assert.Contains("Expected aud claim to be: 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d, but was: https://management.core.windows.net/", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain(armToken, problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_principal_the_workspace_does_not_know_is_refused_as_not_in_the_workspace()
    {
        var app = Fixture.Entra.Server.RegisterApplication(EntraStandInInstance.WorkspaceTenantId, "never-added");
        var count = await PrincipalCountAsync();
        var problem = await AssertProblemAsync(await Admin.PostAsync(Principals, Json(new
        {
            auth_type = "entra_client_secret", workspace_url = Fixture.WorkspaceUrl, client_id = app.ClientId, client_secret = app.ClientSecret, tenant_id = app.TenantId,
        })), HttpStatusCode.BadRequest, "principal-not-in-workspace", "client_id");
        Assert.Contains("ServicePrincipals", problem.GetProperty("detail").GetString());
        Assert.Equal(count, await PrincipalCountAsync());
    }

    [Fact]
    public async Task A_principal_without_sql_access_is_refused_as_missing_an_entitlement()
    {
        var app = Fixture.Entra.Server.RegisterApplication(EntraStandInInstance.WorkspaceTenantId, "no-sql");
        await AddToWorkspaceAsync(app.ClientId, "workspace-access");
        var problem = await AssertProblemAsync(await Admin.PostAsync(Principals, Json(new
        {
            auth_type = "entra_client_secret", workspace_url = Fixture.WorkspaceUrl, client_id = app.ClientId, client_secret = app.ClientSecret,
        })), HttpStatusCode.BadRequest, "missing-entitlement");
        Assert.Contains("databricks-sql-access", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_wrong_client_secret_is_refused_with_entras_reason_and_without_the_secret()
    {
        var app = Fixture.Entra.Server.RegisterApplication(EntraStandInInstance.WorkspaceTenantId, "bad-secret");
        await AddToWorkspaceAsync(app.ClientId, "workspace-access", "databricks-sql-access");
        var problem = await AssertProblemAsync(await Admin.PostAsync(Principals, Json(new
        {
            auth_type = "entra_client_secret", workspace_url = Fixture.WorkspaceUrl, client_id = app.ClientId, client_secret = "not-the-secret", tenant_id = app.TenantId,
        })), HttpStatusCode.BadRequest, "invalid-credentials", "client_secret");
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.True(detail.Contains("AADSTS7000215", StringComparison.Ordinal), detail);
        Assert.DoesNotContain("not-the-secret", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fields_that_do_not_belong_to_the_auth_type_are_refused()
    {
        await AssertProblemAsync(await Admin.PostAsync(Principals, Json(new { auth_type = "managed_identity", workspace_url = Fixture.WorkspaceUrl, client_secret = "x" })),
            HttpStatusCode.BadRequest, "validation-error", "client_secret");
        await AssertProblemAsync(await Admin.PostAsync(Principals, Json(new { auth_type = "pat", workspace_url = Fixture.WorkspaceUrl, token = "t", tenant_id = EntraStandInInstance.WorkspaceTenantId })),
            HttpStatusCode.BadRequest, "validation-error", "tenant_id");
        await AssertProblemAsync(await Admin.PostAsync(Principals, Json(new { auth_type = "kerberos", workspace_url = Fixture.WorkspaceUrl })),
            HttpStatusCode.BadRequest, "validation-error", "auth_type");
        await AssertProblemAsync(await Admin.PostAsync(Principals, Json(new { auth_type = "entra_client_secret", workspace_url = Fixture.WorkspaceUrl, client_id = Guid.NewGuid(), client_secret = "s", azure_workspace_resource_id = "/subscriptions/x" })),
            HttpStatusCode.BadRequest, "validation-error", "azure_workspace_resource_id");
    }

    /// <summary>Probe, export, import and grants for a registered principal, each checked against the workspace.</summary>
    private async Task CycleAsync(JsonElement principal, string expectedUserName)
    {
        var principalId = Id(principal);
        var table = $"main.default.auth_{Guid.NewGuid():N}"[..30];
        await Fixture.SqlAsync($"CREATE TABLE {table} (id BIGINT NOT NULL, text STRING, label STRING) USING DELTA TBLPROPERTIES (delta.enableChangeDataFeed = true)", write: true);
        await Fixture.SqlAsync($"INSERT INTO {table} VALUES (1, 'a cat on a mat', NULL), (2, 'a dog in fog', NULL)", write: true);

        var export = Id(await CreateAsync(principalId, "table", table));
        var lag = await Admin.GetAsync($"{Configs}/{export}/export-lag");
        Assert.True(lag.StatusCode == HttpStatusCode.OK, await lag.Content.ReadAsStringAsync());
        Assert.True((await ReadJsonAsync(lag)).GetProperty("table_version").GetInt64() >= 1);

        var started = await Admin.PostAsync($"{Configs}/{export}/run", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var exported = await WaitForRunAsync(started.Headers.Location!.OriginalString);
        Assert.True(exported.GetProperty("outcome").GetString() == "succeeded", exported.ToString());
        Assert.Equal(2, exported.GetProperty("rows").GetInt64());

        var import = Id(await CreateAsync(principalId, "table_reverse", table));
        await Fixture.UploadAsync("labeled", $"{import}/labels-{Guid.NewGuid():N}.csv", "id,text,label\n1,a cat on a mat,cat\n");
        var imported = await WaitForAnyRunAsync(import);
        Assert.True(imported.GetProperty("outcome").GetString() == "succeeded", imported.ToString());
        Assert.Equal("cat", (await Fixture.SqlAsync($"SELECT label FROM {table} WHERE id = 1"))[0][0]);
        Assert.Equal(expectedUserName, await LastWriterAsync(table));

        var grants = await GrantsAsync(principal, "table_reverse", import);
        Assert.Equal(expectedUserName, grants.GetProperty("principal").GetString());
        Assert.Contains($"GRANT MODIFY ON TABLE {Quoted(table)} TO `{expectedUserName}`", grants.GetProperty("statements").EnumerateArray().Select(s => s.GetString()));
    }

    private async Task<JsonElement> RegisterAsync(object body)
    {
        var response = await Admin.PostAsync(Principals, Json(body));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await ReadJsonAsync(response);
    }

    private async Task<JsonElement> CreateAsync(string principalId, string type, string table)
    {
        var response = await Admin.PostAsync(Configs, Json(new { name = $"{type} {table}", config_type = type, databricks_path = table, service_principal_id = principalId, pk_column = "id", label_column = "label" }));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await ReadJsonAsync(response);
    }

    private async Task<JsonElement> GrantsAsync(JsonElement principal, string type, string? configId = null)
    {
        configId ??= Id(await CreateAsync(Id(principal), type, ApiFixture.Table));
        var response = await Admin.GetAsync($"{Configs}/{configId}/grants");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await ReadJsonAsync(response);
    }

    /// <summary>userName of the newest history entry: who the workspace says wrote the table.</summary>
    private async Task<string?> LastWriterAsync(string table)
    {
        var result = await Fixture.Workspace.ExecuteAsync($"DESCRIBE HISTORY {table} LIMIT 1", options: new StatementOptions { WarehouseId = Fixture.Emulator.WarehouseId });
        var column = result.Columns.ToList().FindIndex(c => c.Name == "userName");
        await foreach (var row in result.ReadRowsAsync()) return row[column];
        return null;
    }

    /// <summary>A service principal added the way docs/deployment.md shows: SCIM POST with applicationId and entitlements.</summary>
    private async Task AddToWorkspaceAsync(string applicationId, params string[] entitlements)
    {
        using var scim = new HttpClient { BaseAddress = new Uri(Fixture.WorkspaceUrl + "/") };
        scim.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Fixture.PersonalAccessToken);
        using var response = await scim.PostAsJsonAsync("api/2.0/preview/scim/v2/ServicePrincipals", new
        {
            applicationId, displayName = "dbxsync " + applicationId[..8], entitlements = entitlements.Select(e => new { value = e }).ToArray(),
        });
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, await response.Content.ReadAsStringAsync());
    }

    private async Task<int> PrincipalCountAsync() =>
        (await ReadJsonAsync(await Admin.GetAsync(Principals))).GetProperty("items").GetArrayLength();

    private static string Quoted(string table) => string.Join('.', table.Split('.').Select(p => $"`{p}`"));
}
