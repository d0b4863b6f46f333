using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace DbxSync.Emulator.Tests.Http;

/// <summary>An emulator over the real SQLite engine, so REST writes and SQL share one store.</summary>
public sealed class RealEngineEmulator : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "dbxsync-emulator-uc-" + Guid.NewGuid().ToString("N"));
    public EmulatorHandle Handle { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public string UserName => Handle.Credentials.DefaultPersonalAccessToken.UserName;

    public async Task InitializeAsync()
    {
        Handle = await EmulatorServer.StartAsync(new EmulatorOptions { Port = 0, DataDirectory = _dataDirectory });
        Client = new HttpClient { BaseAddress = Handle.BaseUrl, Timeout = TimeSpan.FromSeconds(90) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Handle.PersonalAccessToken);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Handle.DisposeAsync();
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { }
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body != null) request.Content = JsonContent.Create(body);
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text.Length == 0 ? "null" : text);
        return (response.StatusCode, document.RootElement.Clone());
    }

    /// <summary>Runs SQL through the Statement Execution API and returns data_array (empty for DDL).</summary>
    public async Task<List<string?[]>> SqlAsync(string statement)
    {
        using var response = await Client.PostAsJsonAsync("/api/2.0/sql/statements",
            new { statement, warehouse_id = Handle.WarehouseId, wait_timeout = "30s" });
        var body = await EmulatorTestHost.ReadJsonAsync(response);
        Assert.True(body.At("status", "state").GetString() == "SUCCEEDED", body.ToString());
        return body.GetProperty("result").TryGetProperty("data_array", out var rows)
            ? rows.EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.Null ? null : c.GetString()).ToArray()).ToList()
            : [];
    }
}

/// <summary>Unity Catalog REST 2.1 create/get/list/update/delete of catalogs, schemas and volumes.</summary>
public sealed class UnityCatalogWriteTests(RealEngineEmulator emulator) : IClassFixture<RealEngineEmulator>
{
    private const string Uc = "/api/2.1/unity-catalog";
    private static string Unique(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Catalog_create_answers_catalog_info_and_get_list_and_sql_see_it()
    {
        var name = Unique("cat");
        var (status, created) = await emulator.SendAsync(HttpMethod.Post, $"{Uc}/catalogs",
            new { name, comment = "made by REST", properties = new Dictionary<string, string> { ["team"] = "labeling" } });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(name, created.GetProperty("name").GetString());
        Assert.Equal(name, created.GetProperty("full_name").GetString());
        Assert.Equal(emulator.UserName, created.GetProperty("owner").GetString());
        Assert.Equal(emulator.UserName, created.GetProperty("created_by").GetString());
        Assert.Equal("made by REST", created.GetProperty("comment").GetString());
        Assert.Equal("labeling", created.At("properties", "team").GetString());
        Assert.Equal("MANAGED_CATALOG", created.GetProperty("catalog_type").GetString());
        Assert.Equal("CATALOG", created.GetProperty("securable_type").GetString());
        Assert.Equal(JsonValueKind.Number, created.GetProperty("created_at").ValueKind);
        FixtureJson.AssertShape(FixtureJson.Load("unity-catalog/01_list_catalogs_schemas_tables.json").At("catalogs", "catalogs")[0], created);

        var (getStatus, fetched) = await emulator.SendAsync(HttpMethod.Get, $"{Uc}/catalogs/{name}");
        Assert.Equal(HttpStatusCode.OK, getStatus);
        Assert.Equal(created.ToString(), fetched.ToString());
        var (_, list) = await emulator.SendAsync(HttpMethod.Get, $"{Uc}/catalogs");
        Assert.Contains(list.GetProperty("catalogs").EnumerateArray(), c => c.GetProperty("name").GetString() == name);

        // What REST created, SQL uses; what SQL creates, REST lists.
        await emulator.SqlAsync($"CREATE SCHEMA {name}.from_sql");
        var (_, schemas) = await emulator.SendAsync(HttpMethod.Get, $"{Uc}/schemas?catalog_name={name}");
        var fromSql = Assert.Single(schemas.GetProperty("schemas").EnumerateArray());
        Assert.Equal($"{name}.from_sql", fromSql.GetProperty("full_name").GetString());
        Assert.Equal(emulator.UserName, fromSql.GetProperty("owner").GetString());

        var (conflict, error) = await emulator.SendAsync(HttpMethod.Post, $"{Uc}/catalogs", new { name });
        Assert.Equal(HttpStatusCode.Conflict, conflict);
        Assert.Equal("CATALOG_ALREADY_EXISTS", error.GetProperty("error_code").GetString());
        Assert.Equal($"Catalog '{name}' already exists.", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Catalog_update_changes_comment_owner_and_properties()
    {
        var name = Unique("upd");
        await emulator.SendAsync(HttpMethod.Post, $"{Uc}/catalogs", new { name });
        var (status, updated) = await emulator.SendAsync(HttpMethod.Patch, $"{Uc}/catalogs/{name}",
            new { comment = "now described", owner = "data-team", properties = new Dictionary<string, string> { ["k"] = "v" } });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("now described", updated.GetProperty("comment").GetString());
        Assert.Equal("data-team", updated.GetProperty("owner").GetString());
        Assert.Equal("v", updated.At("properties", "k").GetString());
        Assert.Equal(emulator.UserName, updated.GetProperty("updated_by").GetString());
        var (_, fetched) = await emulator.SendAsync(HttpMethod.Get, $"{Uc}/catalogs/{name}");
        Assert.Equal("data-team", fetched.GetProperty("owner").GetString());

        var (missing, error) = await emulator.SendAsync(HttpMethod.Patch, $"{Uc}/catalogs/{Unique("nope")}", new { comment = "x" });
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal("CATALOG_DOES_NOT_EXIST", error.GetProperty("error_code").GetString());
        var (badName, badNameError) = await emulator.SendAsync(HttpMethod.Patch, $"{Uc}/catalogs/{name}", new { new_name = "a.b" });
        Assert.Equal(HttpStatusCode.BadRequest, badName);
        Assert.Equal("INVALID_PARAMETER_VALUE", badNameError.GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task Renames_move_everything_underneath_for_sql_files_and_rest()
    {
        var (catalog, renamedCatalog) = (Unique("ren"), Unique("renamed"));
        await emulator.SendAsync(HttpMethod.Post, $"{Uc}/catalogs", new { name = catalog });
        await emulator.SendAsync(HttpMethod.Post, $"{Uc}/schemas", new { name = "s", catalog_name = catalog });
        await emulator.SendAsync(HttpMethod.Post, $"{Uc}/volumes", new { catalog_name = catalog, schema_name = "s", name = "v", volume_type = "MANAGED" });
        await emulator.SqlAsync($"CREATE TABLE {catalog}.s.t (id BIGINT)");
        await emulator.SqlAsync($"INSERT INTO {catalog}.s.t VALUES (7)");
        using (var put = await emulator.Client.PutAsync($"/api/2.0/fs/files/Volumes/{catalog}/s/v/f.txt", new ByteArrayContent(Encoding.UTF8.GetBytes("kept"))))
            Assert.True(put.IsSuccessStatusCode);

        var (status, renamed) = await emulator.SendAsync(HttpMethod.Patch, $"{Uc}/catalogs/{catalog}", new { new_name = renamedCatalog, comment = "moved" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(renamedCatalog, renamed.GetProperty("name").GetString());
        Assert.Equal("moved", renamed.GetProperty("comment").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await emulator.SendAsync(HttpMethod.Get, $"{Uc}/catalogs/{catalog}")).Status);
        Assert.Equal([["7"]], await emulator.SqlAsync($"SELECT id FROM {renamedCatalog}.s.t"));
        Assert.Equal("kept", await emulator.Client.GetStringAsync($"/api/2.0/fs/files/Volumes/{renamedCatalog}/s/v/f.txt"));
        var (_, schema) = await emulator.SendAsync(HttpMethod.Get, $"{Uc}/schemas/{renamedCatalog}.s");
        Assert.Equal(emulator.UserName, schema.GetProperty("owner").GetString());

        var (_, renamedSchema) = await emulator.SendAsync(HttpMethod.Patch, $"{Uc}/schemas/{renamedCatalog}.s", new { new_name = "s2" });
        Assert.Equal($"{renamedCatalog}.s2", renamedSchema.GetProperty("full_name").GetString());
        var (_, renamedVolume) = await emulator.SendAsync(HttpMethod.Patch, $"{Uc}/volumes/{renamedCatalog}.s2.v", new { new_name = "v2" });
        Assert.Equal($"{renamedCatalog}.s2.v2", renamedVolume.GetProperty("full_name").GetString());
        Assert.Equal("kept", await emulator.Client.GetStringAsync($"/api/2.0/fs/files/Volumes/{renamedCatalog}/s2/v2/f.txt"));
        Assert.Equal([["7"]], await emulator.SqlAsync($"SELECT id FROM {renamedCatalog}.s2.t"));

        await emulator.SendAsync(HttpMethod.Post, $"{Uc}/volumes", new { catalog_name = renamedCatalog, schema_name = "s2", name = "other", volume_type = "MANAGED" });
        var (conflict, conflictError) = await emulator.SendAsync(HttpMethod.Patch, $"{Uc}/volumes/{renamedCatalog}.s2.other", new { new_name = "v2" });
        Assert.Equal(HttpStatusCode.Conflict, conflict);
        Assert.Equal($"Volume '{renamedCatalog}.s2.v2' already exists.", conflictError.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Catalog_delete_needs_force_when_not_empty()
    {
        var name = Unique("del");
        await emulator.SendAsync(HttpMethod.Post, $"{Uc}/catalogs", new { name });
        await emulator.SendAsync(HttpMethod.Post, $"{Uc}/schemas", new { name = "s", catalog_name = name });
        await emulator.SqlAsync($"CREATE TABLE {name}.s.t (id BIGINT)");

        var (refused, error) = await emulator.SendAsync(HttpMethod.Delete, $"{Uc}/catalogs/{name}");
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal("INVALID_STATE", error.GetProperty("error_code").GetString());
        Assert.Equal(HttpStatusCode.OK, (await emulator.SendAsync(HttpMethod.Get, $"{Uc}/tables/{name}.s.t")).Status);

        var (deleted, body) = await emulator.SendAsync(HttpMethod.Delete, $"{Uc}/catalogs/{name}?force=true");
        Assert.Equal(HttpStatusCode.OK, deleted);
        Assert.Equal(JsonValueKind.Object, body.ValueKind);
        Assert.Empty(body.EnumerateObject());
        var (gone, goneError) = await emulator.SendAsync(HttpMethod.Get, $"{Uc}/catalogs/{name}");
        Assert.Equal(HttpStatusCode.NotFound, gone);
        Assert.Equal("CATALOG_DOES_NOT_EXIST", goneError.GetProperty("error_code").GetString());
        var (again, againError) = await emulator.SendAsync(HttpMethod.Delete, $"{Uc}/catalogs/{name}");
        Assert.Equal(HttpStatusCode.NotFound, again);
        Assert.Equal("CATALOG_DOES_NOT_EXIST", againError.GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task Schema_create_get_update_delete()
    {
        var catalog = Unique("sch");
        await emulator.SendAsync(HttpMethod.Post, $"{Uc}/catalogs", new { name = catalog });
        var (status, created) = await emulator.SendAsync(HttpMethod.Post, $"{Uc}/schemas", new { name = "raw", catalog_name = catalog, comment = "landing" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("raw", created.GetProperty("name").GetString());
        Assert.Equal(catalog, created.GetProperty("catalog_name").GetString());
        Assert.Equal($"{catalog}.raw", created.GetProperty("full_name").GetString());
        Assert.Equal("landing", created.GetProperty("comment").GetString());
        Assert.Equal(emulator.UserName, created.GetProperty("owner").GetString());
        FixtureJson.AssertShape(FixtureJson.Load("unity-catalog/01_list_catalogs_schemas_tables.json").At("schemas", "schemas")[1], created, ignore: ["properties"]);

        var (conflict, conflictError) = await emulator.SendAsync(HttpMethod.Post, $"{Uc}/schemas", new { name = "raw", catalog_name = catalog });
        Assert.Equal(HttpStatusCode.Conflict, conflict);
        Assert.Equal("SCHEMA_ALREADY_EXISTS", conflictError.GetProperty("error_code").GetString());
        var (noCatalog, noCatalogError) = await emulator.SendAsync(HttpMethod.Post, $"{Uc}/schemas", new { name = "raw", catalog_name = Unique("nope") });
        Assert.Equal(HttpStatusCode.NotFound, noCatalog);
        Assert.Equal("CATALOG_DOES_NOT_EXIST", noCatalogError.GetProperty("error_code").GetString());
        var (missingName, missingNameError) = await emulator.SendAsync(HttpMethod.Post, $"{Uc}/schemas", new { catalog_name = catalog });
        Assert.Equal(HttpStatusCode.BadRequest, missingName);
        Assert.Equal("INVALID_PARAMETER_VALUE", missingNameError.GetProperty("error_code").GetString());

        var (_, updated) = await emulator.SendAsync(HttpMethod.Patch, $"{Uc}/schemas/{catalog}.raw", new { comment = "bronze", owner = "eng" });
        Assert.Equal("bronze", updated.GetProperty("comment").GetString());
        Assert.Equal("eng", updated.GetProperty("owner").GetString());

        await emulator.SqlAsync($"CREATE VOLUME {catalog}.raw.files");
        var (refused, _) = await emulator.SendAsync(HttpMethod.Delete, $"{Uc}/schemas/{catalog}.raw");
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal(HttpStatusCode.OK, (await emulator.SendAsync(HttpMethod.Delete, $"{Uc}/schemas/{catalog}.raw?force=true")).Status);
        var (gone, goneError) = await emulator.SendAsync(HttpMethod.Get, $"{Uc}/schemas/{catalog}.raw");
        Assert.Equal(HttpStatusCode.NotFound, gone);
        Assert.Equal("SCHEMA_DOES_NOT_EXIST", goneError.GetProperty("error_code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await emulator.SendAsync(HttpMethod.Get, $"{Uc}/volumes/{catalog}.raw.files")).Status);
    }

    [Fact]
    public async Task Volume_create_serves_files_and_delete_removes_them()
    {
        var catalog = Unique("vol");
        await emulator.SendAsync(HttpMethod.Post, $"{Uc}/catalogs", new { name = catalog });
        await emulator.SendAsync(HttpMethod.Post, $"{Uc}/schemas", new { name = "s", catalog_name = catalog });
        var (status, created) = await emulator.SendAsync(HttpMethod.Post, $"{Uc}/volumes",
            new { catalog_name = catalog, schema_name = "s", name = "landing", volume_type = "MANAGED", comment = "drops" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"{catalog}.s.landing", created.GetProperty("full_name").GetString());
        Assert.Equal("MANAGED", created.GetProperty("volume_type").GetString());
        Assert.Equal("drops", created.GetProperty("comment").GetString());
        Assert.Equal(emulator.UserName, created.GetProperty("owner").GetString());
        Assert.False(string.IsNullOrEmpty(created.GetProperty("volume_id").GetString()));
        Assert.False(string.IsNullOrEmpty(created.GetProperty("storage_location").GetString()));

        // The Files API serves the volume REST created.
        using (var put = await emulator.Client.PutAsync($"/api/2.0/fs/files/Volumes/{catalog}/s/landing/a.txt", new ByteArrayContent(Encoding.UTF8.GetBytes("hello"))))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        Assert.Equal("hello", await emulator.Client.GetStringAsync($"/api/2.0/fs/files/Volumes/{catalog}/s/landing/a.txt"));

        var (external, externalInfo) = await emulator.SendAsync(HttpMethod.Post, $"{Uc}/volumes",
            new { catalog_name = catalog, schema_name = "s", name = "ext", volume_type = "EXTERNAL", storage_location = "abfss://c@acct.dfs.core.windows.net/ext" });
        Assert.Equal(HttpStatusCode.OK, external);
        Assert.Equal("EXTERNAL", externalInfo.GetProperty("volume_type").GetString());
        Assert.Equal("abfss://c@acct.dfs.core.windows.net/ext", externalInfo.GetProperty("storage_location").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await emulator.SendAsync(HttpMethod.Post, $"{Uc}/volumes",
            new { catalog_name = catalog, schema_name = "s", name = "bad", volume_type = "EXTERNAL" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await emulator.SendAsync(HttpMethod.Post, $"{Uc}/volumes",
            new { catalog_name = catalog, schema_name = "s", name = "bad" })).Status);
        var (conflict, conflictError) = await emulator.SendAsync(HttpMethod.Post, $"{Uc}/volumes",
            new { catalog_name = catalog, schema_name = "s", name = "landing", volume_type = "MANAGED" });
        Assert.Equal(HttpStatusCode.Conflict, conflict);
        Assert.Equal("RESOURCE_ALREADY_EXISTS", conflictError.GetProperty("error_code").GetString());
        var (noSchema, noSchemaError) = await emulator.SendAsync(HttpMethod.Post, $"{Uc}/volumes",
            new { catalog_name = catalog, schema_name = "nope", name = "x", volume_type = "MANAGED" });
        Assert.Equal(HttpStatusCode.NotFound, noSchema);
        Assert.Equal("SCHEMA_DOES_NOT_EXIST", noSchemaError.GetProperty("error_code").GetString());

        var (_, updated) = await emulator.SendAsync(HttpMethod.Patch, $"{Uc}/volumes/{catalog}.s.landing", new { comment = "inbox", owner = "ops" });
        Assert.Equal("inbox", updated.GetProperty("comment").GetString());
        Assert.Equal("ops", updated.GetProperty("owner").GetString());

        Assert.Equal(HttpStatusCode.OK, (await emulator.SendAsync(HttpMethod.Delete, $"{Uc}/volumes/{catalog}.s.landing")).Status);
        var (gone, goneError) = await emulator.SendAsync(HttpMethod.Get, $"{Uc}/volumes/{catalog}.s.landing");
        Assert.Equal(HttpStatusCode.NotFound, gone);
        Assert.Equal("RESOURCE_DOES_NOT_EXIST", goneError.GetProperty("error_code").GetString());
        using var file = await emulator.Client.GetAsync($"/api/2.0/fs/files/Volumes/{catalog}/s/landing/a.txt");
        Assert.Equal(HttpStatusCode.NotFound, file.StatusCode);
    }

    [Fact]
    public async Task Sql_owner_comment_and_volume_rename_are_the_rest_update()
    {
        var catalog = Unique("alter");
        await emulator.SendAsync(HttpMethod.Post, $"{Uc}/catalogs", new { name = catalog });
        await emulator.SqlAsync($"CREATE SCHEMA {catalog}.s");
        await emulator.SqlAsync($"CREATE VOLUME {catalog}.s.v");
        await emulator.SqlAsync($"ALTER CATALOG {catalog} OWNER TO `finance team`");
        await emulator.SqlAsync($"COMMENT ON SCHEMA {catalog}.s IS 'described in SQL'");
        await emulator.SqlAsync($"ALTER VOLUME {catalog}.s.v RENAME TO v2");
        await emulator.SqlAsync($"ALTER VOLUME {catalog}.s.v2 SET OWNER TO ops");
        Assert.Equal("finance team", (await emulator.SendAsync(HttpMethod.Get, $"{Uc}/catalogs/{catalog}")).Body.GetProperty("owner").GetString());
        Assert.Equal("described in SQL", (await emulator.SendAsync(HttpMethod.Get, $"{Uc}/schemas/{catalog}.s")).Body.GetProperty("comment").GetString());
        var (status, volume) = await emulator.SendAsync(HttpMethod.Get, $"{Uc}/volumes/{catalog}.s.v2");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ops", volume.GetProperty("owner").GetString());
    }

    [Fact]
    public async Task Sql_drop_removes_what_rest_created()
    {
        var catalog = Unique("drop");
        await emulator.SendAsync(HttpMethod.Post, $"{Uc}/catalogs", new { name = catalog });
        await emulator.SendAsync(HttpMethod.Post, $"{Uc}/schemas", new { name = "s", catalog_name = catalog });
        await emulator.SendAsync(HttpMethod.Post, $"{Uc}/volumes", new { catalog_name = catalog, schema_name = "s", name = "v", volume_type = "MANAGED" });
        await emulator.SqlAsync($"DROP VOLUME {catalog}.s.v");
        Assert.Equal(HttpStatusCode.NotFound, (await emulator.SendAsync(HttpMethod.Get, $"{Uc}/volumes/{catalog}.s.v")).Status);
        await emulator.SqlAsync($"DROP CATALOG {catalog} CASCADE");
        Assert.Equal(HttpStatusCode.NotFound, (await emulator.SendAsync(HttpMethod.Get, $"{Uc}/catalogs/{catalog}")).Status);
    }

    [Fact]
    public async Task Complex_columns_list_with_catalog_type_text_and_spark_type_json()
    {
        var catalog = Unique("types");
        await emulator.SendAsync(HttpMethod.Post, $"{Uc}/catalogs", new { name = catalog });
        await emulator.SendAsync(HttpMethod.Post, $"{Uc}/schemas", new { name = "s", catalog_name = catalog });
        await emulator.SqlAsync($"CREATE TABLE {catalog}.s.t (tags ARRAY<STRING>, attrs MAP<STRING, INT>, dims STRUCT<w: DOUBLE, unit: STRING>, doc VARIANT)");
        var (_, table) = await emulator.SendAsync(HttpMethod.Get, $"{Uc}/tables/{catalog}.s.t");
        var columns = table.GetProperty("columns").EnumerateArray().ToList();
        Assert.Equal(["array<string>", "map<string,int>", "struct<w:double,unit:string>", "variant"], columns.Select(c => c.GetProperty("type_text").GetString()));
        Assert.Equal(["ARRAY", "MAP", "STRUCT", "VARIANT"], columns.Select(c => c.GetProperty("type_name").GetString()));
        using var typeJson = JsonDocument.Parse(columns[0].GetProperty("type_json").GetString()!);
        Assert.Equal("array", typeJson.RootElement.At("type", "type").GetString());
        Assert.Equal("string", typeJson.RootElement.At("type", "elementType").GetString());

        // The Statement API returns complex cells as JSON text and reports the SQL type text.
        await emulator.SqlAsync($"INSERT INTO {catalog}.s.t VALUES (array('a'), map('k', 1), named_struct('w', 2.5, 'unit', 'cm'), parse_json('[1]'))");
        Assert.Equal(["[\"a\"]", "{\"k\":1}", "{\"w\":2.5,\"unit\":\"cm\"}", "[1]"], (await emulator.SqlAsync($"SELECT * FROM {catalog}.s.t")).Single());
    }
}
