using System.Net;
using System.Net.Http.Headers;
using DbxSync.Functions.Tests.Infrastructure;
using Xunit;

namespace DbxSync.Functions.Tests;

[Collection(ApiCollection.Name)]
public sealed class SyncConfigApiTests(ApiFixture fixture) : ApiTestBase(fixture)
{
    private const string Route = "/api/databricks/sync-configs";

    [Fact]
    public async Task Create_answers_201_with_the_config_and_etag()
    {
        var principal = Id(await RegisterPrincipalAsync());
        var response = await Admin.PostAsync(Route, Json(new
        {
            name = "labels", description = "d", config_type = "table", databricks_path = "main.default.items", service_principal_id = principal,
            pk_column = "id", label_column = "label", poll_interval_seconds = 120, spreadsheet_safe = true,
        }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.NotNull(response.Headers.ETag);
        var body = await ReadJsonAsync(response);
        Assert.EndsWith($"{Route}/{Id(body)}", response.Headers.Location!.ToString());
        Assert.Equal("table", body.GetProperty("config_type").GetString());
        Assert.Equal("active", body.GetProperty("status").GetString());
        Assert.Equal(120, body.GetProperty("poll_interval_seconds").GetInt32());
        Assert.True(body.GetProperty("spreadsheet_safe").GetBoolean());
        Assert.Equal("reject", body.GetProperty("unknown_columns").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.String, body.GetProperty("created_at").ValueKind);
    }

    [Theory]
    [InlineData("volume_forward")]
    [InlineData("volume_reverse")]
    [InlineData("table_reverse")]
    public async Task Each_config_type_can_be_created(string configType)
    {
        var config = await CreateConfigAsync(Id(await RegisterPrincipalAsync()), configType);
        Assert.Equal(configType, config.GetProperty("config_type").GetString());
    }

    [Fact]
    public async Task A_table_that_does_not_exist_is_refused_with_the_field()
    {
        var principal = Id(await RegisterPrincipalAsync());
        var response = await Admin.PostAsync(Route, Json(new { name = "x", config_type = "table", databricks_path = "main.default.nope", service_principal_id = principal, pk_column = "id", label_column = "label" }));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "table-not-found", "databricks_path");
    }

    [Fact]
    public async Task A_missing_column_is_refused_with_the_field()
    {
        var principal = Id(await RegisterPrincipalAsync());
        var response = await Admin.PostAsync(Route, Json(new { name = "x", config_type = "table", databricks_path = "main.default.items", service_principal_id = principal, pk_column = "id", label_column = "nolabel" }));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "column-not-found", "label_column");
    }

    [Theory]
    [InlineData("""{"name":"x","config_type":"bogus","databricks_path":"main.default.items","service_principal_id":"P","pk_column":"id","label_column":"label"}""", "config_type")]
    [InlineData("""{"name":"x","config_type":"table","databricks_path":"main.default.items","service_principal_id":"P","pk_column":"id","label_column":"label","poll_interval_seconds":1}""", "poll_interval_seconds")]
    [InlineData("""{"name":"x","config_type":"table","databricks_path":"main.default.it`ems","service_principal_id":"P","pk_column":"id","label_column":"label"}""", "databricks_path")]
    [InlineData("""{"name":"","config_type":"table","databricks_path":"main.default.items","service_principal_id":"P","pk_column":"id","label_column":"label"}""", "name")]
    [InlineData("""{"name":"x","config_type":"table","databricks_path":"main.default.items","service_principal_id":"00000000-0000-0000-0000-000000000000","pk_column":"id","label_column":"label"}""", "service_principal_id")]
    public async Task Invalid_configs_are_refused_with_the_field(string template, string field)
    {
        var principal = Id(await RegisterPrincipalAsync());
        var response = await Admin.PostAsync(Route, Json(template.Replace("\"P\"", $"\"{principal}\"")));
        var problem = await ReadJsonAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task List_filters_by_type_and_principal()
    {
        var principal = Id(await RegisterPrincipalAsync());
        var table = await CreateConfigAsync(principal, "table");
        var volume = await CreateConfigAsync(principal, "volume_forward");

        var byPrincipal = await ReadJsonAsync(await Admin.GetAsync($"{Route}?service_principal_id={principal}"));
        Assert.Equal(new[] { Id(table), Id(volume) }.Order(), byPrincipal.GetProperty("items").EnumerateArray().Select(Id).Order());

        var byType = await ReadJsonAsync(await Admin.GetAsync($"{Route}?service_principal_id={principal}&config_type=volume_forward"));
        Assert.Equal(Id(volume), Id(Assert.Single(byType.GetProperty("items").EnumerateArray())));

        await AssertProblemAsync(await Admin.GetAsync($"{Route}?config_type=nope"), HttpStatusCode.BadRequest, "validation-error", "config_type");
    }

    [Fact]
    public async Task The_adaptive_polling_cap_is_validated_and_the_list_shows_the_interval_probed_at_now()
    {
        var principal = Id(await RegisterPrincipalAsync());
        var created = await Admin.PostAsync(Route, Json(new
        {
            name = "adaptive", config_type = "table", databricks_path = "main.default.items", service_principal_id = principal,
            pk_column = "id", label_column = "label", poll_interval_seconds = 120, max_poll_interval_seconds = 3600,
        }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await ReadJsonAsync(created);
        Assert.Equal(3600, body.GetProperty("max_poll_interval_seconds").GetInt32());

        var listed = Assert.Single((await ReadJsonAsync(await Admin.GetAsync($"{Route}?service_principal_id={principal}"))).GetProperty("items").EnumerateArray());
        // Never probed yet: it starts at its poll interval.
        Assert.Equal(120, listed.GetProperty("current_poll_interval_seconds").GetInt32());
        Assert.Equal(3600, listed.GetProperty("max_poll_interval_seconds").GetInt32());

        foreach (var cap in new[] { 60, 86_401 })
            await AssertProblemAsync(await Admin.PatchAsync($"{Route}/{Id(body)}", Json(new { max_poll_interval_seconds = cap })),
                HttpStatusCode.BadRequest, "validation-error", "max_poll_interval_seconds");
        Assert.Equal(3600, (await ReadJsonAsync(await Admin.GetAsync($"{Route}/{Id(body)}"))).GetProperty("max_poll_interval_seconds").GetInt32());
    }

    [Fact]
    public async Task Get_put_patch_pause_resume_delete()
    {
        var principal = Id(await RegisterPrincipalAsync());
        var id = Id(await CreateConfigAsync(principal));

        var get = await Admin.GetAsync($"{Route}/{id}");
        Assert.NotNull(get.Headers.ETag);

        var patch = await Admin.PatchAsync($"{Route}/{id}", Json(new { description = "patched" }));
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal("patched", (await ReadJsonAsync(patch)).GetProperty("description").GetString());
        Assert.NotEqual(get.Headers.ETag, patch.Headers.ETag);

        var put = await Admin.PutAsync($"{Route}/{id}", Json(new { name = "replaced", config_type = "table", databricks_path = "main.default.items", service_principal_id = principal, pk_column = "id", label_column = "label" }));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var replaced = await ReadJsonAsync(put);
        Assert.Equal("replaced", replaced.GetProperty("name").GetString());

        var paused = await ReadJsonAsync(await Admin.PostAsync($"{Route}/{id}/pause", null));
        Assert.Equal("paused", paused.GetProperty("status").GetString());
        Assert.False(paused.GetProperty("enabled").GetBoolean());
        var resumed = await ReadJsonAsync(await Admin.PostAsync($"{Route}/{id}/resume", null));
        Assert.Equal("active", resumed.GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteAsync($"{Route}/{id}")).StatusCode);
        await AssertProblemAsync(await Admin.GetAsync($"{Route}/{id}"), HttpStatusCode.NotFound, "sync-config-not-found");
    }

    [Fact]
    public async Task Changing_config_type_is_refused()
    {
        var id = Id(await CreateConfigAsync(Id(await RegisterPrincipalAsync())));
        await AssertProblemAsync(await Admin.PatchAsync($"{Route}/{id}", Json(new { config_type = "volume_forward" })), HttpStatusCode.BadRequest, "validation-error", "config_type");
    }

    [Fact]
    public async Task If_match_guards_every_write()
    {
        var id = Id(await CreateConfigAsync(Id(await RegisterPrincipalAsync())));
        var etag = (await Admin.GetAsync($"{Route}/{id}")).Headers.ETag!;

        var good = new HttpRequestMessage(HttpMethod.Patch, $"{Route}/{id}") { Content = Json(new { description = "one" }) };
        good.Headers.IfMatch.Add(etag);
        Assert.Equal(HttpStatusCode.OK, (await Admin.SendAsync(good)).StatusCode);

        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
                 {
                     (HttpMethod.Patch, $"{Route}/{id}", new { description = "two" }),
                     (HttpMethod.Put, $"{Route}/{id}", new { name = "n", config_type = "table" }),
                     (HttpMethod.Post, $"{Route}/{id}/pause", null),
                     (HttpMethod.Post, $"{Route}/{id}/resume", null),
                     (HttpMethod.Delete, $"{Route}/{id}", null),
                 })
        {
            var stale = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) };
            stale.Headers.IfMatch.Add(etag);
            await AssertProblemAsync(await Admin.SendAsync(stale), HttpStatusCode.PreconditionFailed, "precondition-failed");
        }

        var wildcard = new HttpRequestMessage(HttpMethod.Post, $"{Route}/{id}/pause");
        wildcard.Headers.IfMatch.Add(EntityTagHeaderValue.Any);
        Assert.Equal(HttpStatusCode.OK, (await Admin.SendAsync(wildcard)).StatusCode);
    }

    [Fact]
    public async Task Unknown_config_is_404_on_every_route()
    {
        var id = Guid.NewGuid();
        await AssertProblemAsync(await Admin.GetAsync($"{Route}/{id}"), HttpStatusCode.NotFound, "sync-config-not-found");
        await AssertProblemAsync(await Admin.PatchAsync($"{Route}/{id}", Json(new { description = "x" })), HttpStatusCode.NotFound, "sync-config-not-found");
        await AssertProblemAsync(await Admin.DeleteAsync($"{Route}/{id}"), HttpStatusCode.NotFound, "sync-config-not-found");
        await AssertProblemAsync(await Admin.PostAsync($"{Route}/{id}/pause", null), HttpStatusCode.NotFound, "sync-config-not-found");
        await AssertProblemAsync(await Admin.PostAsync($"{Route}/{id}/run", null), HttpStatusCode.NotFound, "sync-config-not-found");
        await AssertProblemAsync(await Admin.GetAsync($"{Route}/{id}/runs"), HttpStatusCode.NotFound, "sync-config-not-found");
    }
}
