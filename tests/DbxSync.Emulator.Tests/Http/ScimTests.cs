using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace DbxSync.Emulator.Tests.Http;

/// <summary>
/// SCIM Me and ServicePrincipals with the documented shapes (Databricks REST reference, "Current user" and "Service
/// principals"; RFC 7644 for list responses, filters and errors).
/// </summary>
public sealed class ScimTests(SharedEmulator shared) : IClassFixture<SharedEmulator>
{
    private const string Scim = "/api/2.0/preview/scim/v2";
    private EmulatorTestHost Host => shared.Host;

    [Fact]
    public async Task Me_for_a_pat_user_is_the_user_with_emails_and_entitlements()
    {
        var me = await Host.GetJsonAsync(Scim + "/Me");
        Assert.Equal("emulator-user@example.com", me.GetProperty("userName").GetString());
        Assert.Equal("emulator-user@example.com", me.GetProperty("emails")[0].GetProperty("value").GetString());
        Assert.True(me.GetProperty("active").GetBoolean());
        Assert.Contains("urn:ietf:params:scim:schemas:core:2.0:User", me.GetProperty("schemas").EnumerateArray().Select(s => s.GetString()));
        Assert.Contains("databricks-sql-access", me.GetProperty("entitlements").EnumerateArray().Select(e => e.GetProperty("value").GetString()));
        Assert.False(string.IsNullOrEmpty(me.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Me_for_an_oauth_service_principal_has_the_application_id_as_user_name()
    {
        using var client = new HttpClient { BaseAddress = Host.Handle.BaseUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Host.GetOAuthTokenAsync());
        var me = await EmulatorTestHost.ReadJsonAsync(await client.GetAsync(Scim + "/Me"));
        Assert.Equal(Host.Handle.ClientId, me.GetProperty("userName").GetString());
    }

    [Fact]
    public async Task Create_get_list_filter_and_delete_a_service_principal()
    {
        var applicationId = Guid.NewGuid().ToString();
        using var created = await Host.Client.PostAsJsonAsync(Scim + "/ServicePrincipals", new
        {
            applicationId, displayName = "labeling", active = true,
            entitlements = new[] { new { value = "workspace-access" }, new { value = "databricks-sql-access" } },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var sp = await EmulatorTestHost.ReadJsonAsync(created);
        var id = sp.GetProperty("id").GetString()!;
        Assert.True(long.TryParse(id, out _), "SCIM ids are numeric strings");
        Assert.Equal(applicationId, sp.GetProperty("applicationId").GetString());
        Assert.Equal("labeling", sp.GetProperty("displayName").GetString());
        Assert.True(sp.GetProperty("active").GetBoolean());
        Assert.Equal(["workspace-access", "databricks-sql-access"], sp.GetProperty("entitlements").EnumerateArray().Select(e => e.GetProperty("value").GetString()!).ToArray());
        Assert.Equal("urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal", sp.GetProperty("schemas")[0].GetString());

        Assert.Equal(applicationId, (await Host.GetJsonAsync($"{Scim}/ServicePrincipals/{id}")).GetProperty("applicationId").GetString());

        // The filter the SDKs and Terraform send to find a principal by application id.
        var filtered = await Host.GetJsonAsync($"{Scim}/ServicePrincipals?filter={Uri.EscapeDataString($"applicationId eq \"{applicationId}\"")}");
        Assert.Equal(1, filtered.GetProperty("totalResults").GetInt32());
        Assert.Equal(1, filtered.GetProperty("startIndex").GetInt32());
        Assert.Equal("urn:ietf:params:scim:api:messages:2.0:ListResponse", filtered.GetProperty("schemas")[0].GetString());
        Assert.Equal(id, filtered.GetProperty("Resources")[0].GetProperty("id").GetString());
        var byName = await Host.GetJsonAsync($"{Scim}/ServicePrincipals?filter={Uri.EscapeDataString("displayName co \"label\" and active eq true")}");
        Assert.Contains(id, byName.GetProperty("Resources").EnumerateArray().Select(r => r.GetProperty("id").GetString()));

        // A second principal with the same application id conflicts.
        using var duplicate = await Host.Client.PostAsJsonAsync(Scim + "/ServicePrincipals", new { applicationId });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        var error = await EmulatorTestHost.ReadJsonAsync(duplicate);
        Assert.Equal("urn:ietf:params:scim:api:messages:2.0:Error", error.GetProperty("schemas")[0].GetString());
        Assert.Equal("409", error.GetProperty("status").GetString());
        Assert.Equal("uniqueness", error.GetProperty("scimType").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await Host.Client.DeleteAsync($"{Scim}/ServicePrincipals/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Host.Client.GetAsync($"{Scim}/ServicePrincipals/{id}")).StatusCode);
        var gone = await Host.GetJsonAsync($"{Scim}/ServicePrincipals?filter={Uri.EscapeDataString($"applicationId eq \"{applicationId}\"")}");
        Assert.Equal(0, gone.GetProperty("totalResults").GetInt32());
        Assert.False(gone.TryGetProperty("Resources", out _));
    }

    [Fact]
    public async Task Paging_bad_filters_and_bad_entitlements_answer_as_documented()
    {
        for (var i = 0; i < 3; i++)
            (await Host.Client.PostAsJsonAsync(Scim + "/ServicePrincipals", new { applicationId = Guid.NewGuid(), displayName = "page-" + i })).EnsureSuccessStatusCode();
        var page = await Host.GetJsonAsync($"{Scim}/ServicePrincipals?filter={Uri.EscapeDataString("displayName sw \"page-\"")}&startIndex=2&count=1");
        Assert.Equal(1, page.GetProperty("itemsPerPage").GetInt32());
        Assert.Equal(2, page.GetProperty("startIndex").GetInt32());
        Assert.True(page.GetProperty("totalResults").GetInt32() >= 3);

        using var badFilter = await Host.Client.GetAsync($"{Scim}/ServicePrincipals?filter={Uri.EscapeDataString("applicationId gt 5")}");
        Assert.Equal(HttpStatusCode.BadRequest, badFilter.StatusCode);
        Assert.Equal("invalidFilter", (await EmulatorTestHost.ReadJsonAsync(badFilter)).GetProperty("scimType").GetString());

        using var badEntitlement = await Host.Client.PostAsJsonAsync(Scim + "/ServicePrincipals", new { applicationId = Guid.NewGuid(), entitlements = new[] { new { value = "root" } } });
        Assert.Equal(HttpStatusCode.BadRequest, badEntitlement.StatusCode);
        Assert.Equal("invalidValue", (await EmulatorTestHost.ReadJsonAsync(badEntitlement)).GetProperty("scimType").GetString());
    }
}
