using System.Net;
using System.Net.Http.Headers;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DbxSync.Functions.Tests;

[Collection(ApiCollection.Name)]
public sealed class ServicePrincipalApiTests(ApiFixture fixture) : ApiTestBase(fixture)
{
    private const string Route = "/api/databricks/service-principals";

    [Fact]
    public async Task Register_answers_201_with_location_etag_and_no_secret()
    {
        var response = await Admin.PostAsync(Route, Json(new { workspace_url = Fixture.WorkspaceUrl, client_id = Fixture.ClientId, client_secret = Fixture.ClientSecret, name = "sp-one" }));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.NotNull(response.Headers.ETag);
        var body = await ReadJsonAsync(response);
        Assert.EndsWith($"{Route}/{Id(body)}", response.Headers.Location!.ToString());
        Assert.Equal("databricks_oauth", body.GetProperty("auth_type").GetString());
        Assert.Equal(Fixture.ClientId, body.GetProperty("client_id").GetString());
        Assert.Equal(Fixture.WorkspaceUrl, body.GetProperty("workspace_url").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.String, JsonValueKindOf(body, "validated_at"));
        foreach (var name in new[] { "id", "name", "workspace_url", "auth_type", "client_id", "warehouse_id", "created_at", "updated_at", "validated_at" })
            Assert.True(body.TryGetProperty(name, out _), name);
        Assert.DoesNotContain(Fixture.ClientSecret, text);
        Assert.DoesNotContain("secret", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Register_with_a_personal_access_token_answers_pat()
    {
        var response = await Admin.PostAsync(Route, Json(new { workspace_url = Fixture.WorkspaceUrl, token = Fixture.PersonalAccessToken }));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("pat", (await ReadJsonAsync(response)).GetProperty("auth_type").GetString());
        Assert.DoesNotContain(Fixture.PersonalAccessToken, text);
    }

    [Fact]
    public async Task Wrong_secret_is_refused_as_invalid_credentials_and_nothing_is_stored()
    {
        // Storage is shared with other test assemblies: look for this registration by its unique name, not by a count.
        var name = "refused-" + Guid.NewGuid().ToString("N");
        var response = await Admin.PostAsync(Route, Json(new { workspace_url = Fixture.WorkspaceUrl, client_id = Fixture.ClientId, client_secret = "wrong-secret-zz", name }));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-credentials", "client_secret");
        Assert.DoesNotContain("wrong-secret-zz", await response.Content.ReadAsStringAsync());
        var listed = (await ReadJsonAsync(await Admin.GetAsync(Route))).GetProperty("items").EnumerateArray();
        Assert.DoesNotContain(listed, p => p.GetProperty("name").GetString() == name);
    }

    [Theory]
    [InlineData("http://169.254.169.254")]
    [InlineData("http://169.254.169.254/metadata/identity/oauth2/token")]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("https://localhost")]
    [InlineData("https://adb-1.azuredatabricks.net.evil.example")]
    [InlineData("https://evilazuredatabricks.net")]
    [InlineData("https://user:pw@adb-1.azuredatabricks.net")]
    [InlineData("http://adb-1234567890123456.7.azuredatabricks.net")]
    [InlineData("not a url")]
    public async Task Workspace_urls_that_are_not_databricks_are_refused_before_any_request(string url)
    {
        var response = await Admin.PostAsync(Route, Json(new { workspace_url = url, client_id = Fixture.ClientId, client_secret = Fixture.ClientSecret }));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-workspace-url", "workspace_url");
        // The same port the service consults refuses it without sending anything.
        var ex = Assert.Throws<WorkspaceException>(() => Fixture.Connector.ValidateWorkspaceUrl(url));
        Assert.Equal(WorkspaceErrorKind.InvalidWorkspaceUrl, ex.Kind);
    }

    [Fact]
    public async Task Unreachable_workspace_answers_502()
    {
        var response = await Admin.PostAsync(Route, Json(new { workspace_url = ApiFixture.UnreachableWorkspaceUrl, client_id = Fixture.ClientId, client_secret = Fixture.ClientSecret }));
        await AssertProblemAsync(response, HttpStatusCode.BadGateway, "workspace-unreachable");
    }

    [Fact]
    public async Task Missing_client_secret_names_the_field()
    {
        var response = await Admin.PostAsync(Route, Json(new { workspace_url = Fixture.WorkspaceUrl, client_id = Fixture.ClientId }));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation-error", "client_secret");
    }

    [Fact]
    public async Task Get_list_and_get_one_with_etag()
    {
        var created = await RegisterPrincipalAsync("listed");
        var list = await ReadJsonAsync(await Admin.GetAsync(Route));
        Assert.Contains(list.GetProperty("items").EnumerateArray(), p => Id(p) == Id(created));

        var one = await Admin.GetAsync($"{Route}/{Id(created)}");
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.NotNull(one.Headers.ETag);
        Assert.Equal("listed", (await ReadJsonAsync(one)).GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("not-a-guid")]
    public async Task Unknown_principal_is_404(string id)
    {
        await AssertProblemAsync(await Admin.GetAsync($"{Route}/{id}"), HttpStatusCode.NotFound, "service-principal-not-found");
        await AssertProblemAsync(await Admin.DeleteAsync($"{Route}/{id}"), HttpStatusCode.NotFound, "service-principal-not-found");
    }

    [Fact]
    public async Task Delete_answers_204_then_404()
    {
        var created = await RegisterPrincipalAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteAsync($"{Route}/{Id(created)}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync($"{Route}/{Id(created)}")).StatusCode);
    }

    [Fact]
    public async Task Delete_while_a_config_uses_it_is_409()
    {
        var principal = await RegisterPrincipalAsync();
        await CreateConfigAsync(Id(principal));
        await AssertProblemAsync(await Admin.DeleteAsync($"{Route}/{Id(principal)}"), HttpStatusCode.Conflict, "service-principal-in-use");
    }

    [Fact]
    public async Task Delete_with_a_stale_if_match_is_412()
    {
        var principal = await RegisterPrincipalAsync();
        var request = new HttpRequestMessage(HttpMethod.Delete, $"{Route}/{Id(principal)}");
        request.Headers.IfMatch.Add(new EntityTagHeaderValue("\"stale\""));
        await AssertProblemAsync(await Admin.SendAsync(request), HttpStatusCode.PreconditionFailed, "precondition-failed");
    }

    [Fact]
    public async Task Rotate_secret_proves_it_and_honours_if_match()
    {
        var principal = await RegisterPrincipalAsync();
        var get = await Admin.GetAsync($"{Route}/{Id(principal)}");
        var etag = get.Headers.ETag!;

        var wrong = await Admin.PutAsync($"{Route}/{Id(principal)}/secret", Json(new { client_secret = "another-wrong-secret" }));
        await AssertProblemAsync(wrong, HttpStatusCode.BadRequest, "invalid-credentials", "client_secret");

        var request = new HttpRequestMessage(HttpMethod.Put, $"{Route}/{Id(principal)}/secret") { Content = Json(new { client_secret = Fixture.ClientSecret }) };
        request.Headers.IfMatch.Add(etag);
        var rotated = await Admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.NotEqual(etag, rotated.Headers.ETag);
        Assert.DoesNotContain(Fixture.ClientSecret, await rotated.Content.ReadAsStringAsync());

        var stale = new HttpRequestMessage(HttpMethod.Put, $"{Route}/{Id(principal)}/secret") { Content = Json(new { client_secret = Fixture.ClientSecret }) };
        stale.Headers.IfMatch.Add(etag);
        await AssertProblemAsync(await Admin.SendAsync(stale), HttpStatusCode.PreconditionFailed, "precondition-failed");
    }

    [Fact]
    public async Task Rotating_with_the_other_kind_of_secret_is_refused()
    {
        var principal = await RegisterPrincipalAsync();
        var response = await Admin.PutAsync($"{Route}/{Id(principal)}/secret", Json(new { token = Fixture.PersonalAccessToken }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    public async Task Changing_the_workspace_url_is_refused(string method)
    {
        var principal = await RegisterPrincipalAsync();
        var request = new HttpRequestMessage(new HttpMethod(method), $"{Route}/{Id(principal)}") { Content = Json(new { workspace_url = "https://adb-2.azuredatabricks.net" }) };
        await AssertProblemAsync(await Admin.SendAsync(request), HttpStatusCode.BadRequest, "immutable-field", "workspace_url");
        var after = await ReadJsonAsync(await Admin.GetAsync($"{Route}/{Id(principal)}"));
        Assert.Equal(Fixture.WorkspaceUrl, after.GetProperty("workspace_url").GetString());
    }

    [Fact]
    public async Task Catalog_browsing_lists_catalogs_schemas_tables_and_volumes()
    {
        var id = Id(await RegisterPrincipalAsync());
        var catalogs = await ReadJsonAsync(await Admin.GetAsync($"{Route}/{id}/catalogs"));
        Assert.Contains(catalogs.GetProperty("items").EnumerateArray(), c => c.GetProperty("name").GetString() == "main");

        var schemas = await ReadJsonAsync(await Admin.GetAsync($"{Route}/{id}/catalogs/main/schemas"));
        Assert.Contains(schemas.GetProperty("items").EnumerateArray(), s => s.GetProperty("name").GetString() == "default");

        var tables = await ReadJsonAsync(await Admin.GetAsync($"{Route}/{id}/catalogs/main/schemas/default/tables"));
        var items = Assert.Single(tables.GetProperty("items").EnumerateArray(), t => t.GetProperty("name").GetString() == "items");
        Assert.Equal("main.default.items", items.GetProperty("full_name").GetString());
        Assert.Equal(new[] { "id", "text", "label" }, items.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToArray());

        var volumes = await ReadJsonAsync(await Admin.GetAsync($"{Route}/{id}/catalogs/main/schemas/default/volumes"));
        Assert.Contains(volumes.GetProperty("items").EnumerateArray(), v => v.GetProperty("full_name").GetString() == "main.default.files");
    }

    [Theory]
    [InlineData("catalogs/bad%60name/schemas", "catalog")]
    [InlineData("catalogs/main/schemas/x%20y/tables", "schema")]
    [InlineData("catalogs/main/schemas/a%3Bdrop/volumes", "schema")]
    public async Task Catalog_browsing_refuses_invalid_identifiers(string path, string field)
    {
        var id = Id(await RegisterPrincipalAsync());
        await AssertProblemAsync(await Admin.GetAsync($"{Route}/{id}/{path}"), HttpStatusCode.BadRequest, "invalid-identifier", field);
    }

    [Fact]
    public async Task Catalog_browsing_of_an_unknown_catalog_is_404()
    {
        var id = Id(await RegisterPrincipalAsync());
        var response = await Admin.GetAsync($"{Route}/{id}/catalogs/nosuchcatalog/schemas");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Secrets_never_reach_responses_or_logs()
    {
        var principal = await RegisterPrincipalAsync();
        await Admin.PutAsync($"{Route}/{Id(principal)}/secret", Json(new { client_secret = Fixture.ClientSecret }));
        await Admin.PostAsync(Route, Json(new { workspace_url = Fixture.WorkspaceUrl, token = Fixture.PersonalAccessToken }));
        await Admin.PostAsync(Route, Json(new { workspace_url = "http://169.254.169.254", client_id = Fixture.ClientId, client_secret = Fixture.ClientSecret }));
        await Admin.GetAsync($"{Route}/{Id(principal)}/catalogs");
        await Fixture.CreateClient("not-" + ApiFixture.AdminToken).GetAsync(Route + "?code=function-key-value-77");

        foreach (var line in Fixture.Host.Output)
        {
            Assert.DoesNotContain(Fixture.ClientSecret, line);
            Assert.DoesNotContain(Fixture.PersonalAccessToken, line);
            Assert.DoesNotContain(ApiFixture.AdminToken, line);
            Assert.DoesNotContain("function-key-value-77", line);
        }
    }

    private static System.Text.Json.JsonValueKind JsonValueKindOf(System.Text.Json.JsonElement e, string name) => e.GetProperty(name).ValueKind;
}
