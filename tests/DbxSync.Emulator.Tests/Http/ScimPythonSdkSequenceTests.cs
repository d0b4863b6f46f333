using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace DbxSync.Emulator.Tests.Http;

/// <summary>
/// `w = WorkspaceClient(host=..., token=...)`, `w.current_user.me()` and `w.service_principals.create(...)` as the
/// Databricks SDK for Python sends them (PyPI is unreachable here, so the requests are replayed from its sources,
/// databricks/databricks-sdk-py service/iam.py CurrentUserAPI.me and ServicePrincipalsAPI.create): the answers must
/// carry what User.from_dict and ServicePrincipal.from_dict read, with no failed request on the way.
/// </summary>
public sealed class ScimPythonSdkSequenceTests(SharedEmulator shared) : IClassFixture<SharedEmulator>
{
    private EmulatorTestHost Host => shared.Host;

    [Fact]
    public async Task Current_user_me_and_service_principals_create_answer_what_the_sdk_reads()
    {
        using var sdk = new HttpClient { BaseAddress = Host.Handle.BaseUrl };
        // Config.__init__ -> _resolve_host_metadata (config.py): unauthenticated, best effort.
        Assert.Equal(HttpStatusCode.OK, (await sdk.GetAsync("/.well-known/databricks-config")).StatusCode);
        // pat auth (credentials_provider.py pat_auth): only the bearer header.
        sdk.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Host.Handle.PersonalAccessToken);

        // CurrentUserAPI.me: headers = {'Accept': 'application/json'}; do('GET', '/api/2.0/preview/scim/v2/Me').
        using var meRequest = new HttpRequestMessage(HttpMethod.Get, "/api/2.0/preview/scim/v2/Me");
        meRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var meResponse = await sdk.SendAsync(meRequest);
        Assert.Equal(HttpStatusCode.OK, meResponse.StatusCode);
        var me = await EmulatorTestHost.ReadJsonAsync(meResponse);
        // User.from_dict: userName, displayName, id, active, emails[].value, entitlements[].value, groups, schemas.
        Assert.Equal(Host.Handle.Credentials.DefaultPersonalAccessToken.UserName, me.GetProperty("userName").GetString());
        Assert.Equal(JsonValueKind.String, me.GetProperty("id").ValueKind);
        Assert.Equal(JsonValueKind.Array, me.GetProperty("groups").ValueKind);
        Assert.All(me.GetProperty("schemas").EnumerateArray(), s => Assert.StartsWith("urn:ietf:params:scim:schemas:", s.GetString()));

        // ServicePrincipalsAPI.create(application_id=..., display_name=..., entitlements=[ComplexValue(value=...)], active=True):
        // body keys only for the arguments given; headers Accept and Content-Type application/json.
        var applicationId = Guid.NewGuid().ToString();
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["active"] = true,
            ["applicationId"] = applicationId,
            ["displayName"] = "dbxsync-app",
            ["entitlements"] = new[] { new Dictionary<string, string> { ["value"] = "workspace-access" }, new Dictionary<string, string> { ["value"] = "databricks-sql-access" } },
        });
        using var createRequest = new HttpRequestMessage(HttpMethod.Post, "/api/2.0/preview/scim/v2/ServicePrincipals")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        createRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var created = await sdk.SendAsync(createRequest);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var sp = await EmulatorTestHost.ReadJsonAsync(created);
        // ServicePrincipal.from_dict: active, applicationId, displayName, entitlements[].value, id, schemas.
        Assert.True(sp.GetProperty("active").GetBoolean());
        Assert.Equal(applicationId, sp.GetProperty("applicationId").GetString());
        Assert.Equal("dbxsync-app", sp.GetProperty("displayName").GetString());
        Assert.Equal(2, sp.GetProperty("entitlements").GetArrayLength());
        Assert.Equal(JsonValueKind.String, sp.GetProperty("id").ValueKind);
        Assert.Equal("urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal", sp.GetProperty("schemas")[0].GetString());
    }
}
