using System.Net;
using System.Text.Json;

namespace DbxSync.Emulator.Tests.Http;

public sealed class UnityCatalogTests(SharedEmulator emulator) : IClassFixture<SharedEmulator>
{
    private EmulatorTestHost Host => emulator.Host;
    private static readonly JsonElement Fixture = FixtureJson.Load("unity-catalog/01_list_catalogs_schemas_tables.json");

    [Fact]
    public async Task Catalogs_and_schemas_list_in_recorded_shape()
    {
        var catalogs = await Host.GetJsonAsync("/api/2.1/unity-catalog/catalogs");
        FixtureJson.AssertShape(Fixture.GetProperty("catalogs"), catalogs);
        Assert.Equal(["main", "sales", "system"], catalogs.GetProperty("catalogs").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.False(catalogs.TryGetProperty("next_page_token", out _));

        var schemas = await Host.GetJsonAsync("/api/2.1/unity-catalog/schemas?catalog_name=main");
        // Absent comments are omitted, as Databricks does.
        FixtureJson.AssertShape(Fixture.GetProperty("schemas"), schemas, ignore: ["properties", "comment"]);
        Assert.Contains(schemas.GetProperty("schemas").EnumerateArray(), s => s.GetProperty("full_name").GetString() == "main.sync");

        var catalog = await Host.GetJsonAsync("/api/2.1/unity-catalog/catalogs/main");
        Assert.Equal("main", catalog.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Tables_carry_lower_case_type_text_and_cdf_property()
    {
        var tables = await Host.GetJsonAsync("/api/2.1/unity-catalog/tables?catalog_name=main&schema_name=sync");
        FixtureJson.AssertShape(Fixture.GetProperty("tables"), tables, ignore: ["generation", "data_access_configuration_id"]);

        var labels = tables.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "labels");
        Assert.Equal("main.sync.labels", labels.GetProperty("full_name").GetString());
        Assert.Equal("MANAGED", labels.GetProperty("table_type").GetString());
        Assert.Equal("DELTA", labels.GetProperty("data_source_format").GetString());
        Assert.Equal("true", labels.At("properties", "delta.enableChangeDataFeed").GetString());
        Assert.Equal("3", labels.At("properties", "delta.lastUpdateVersion").GetString());
        var score = labels.GetProperty("columns")[2];
        Assert.Equal("decimal(10,2)", score.GetProperty("type_text").GetString());
        Assert.Equal("DECIMAL", score.GetProperty("type_name").GetString());
        Assert.Equal(2, score.GetProperty("position").GetInt32());
        Assert.False(labels.GetProperty("columns")[0].GetProperty("nullable").GetBoolean());

        var items = tables.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "items");
        Assert.False(items.GetProperty("properties").TryGetProperty("delta.enableChangeDataFeed", out _));
    }

    [Fact]
    public async Task Get_table_by_full_name_or_404()
    {
        var table = await Host.GetJsonAsync("/api/2.1/unity-catalog/tables/main.sync.labels");
        Assert.Equal("labels", table.GetProperty("name").GetString());

        using var missing = await Host.Client.GetAsync("/api/2.1/unity-catalog/tables/main.sync.nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var body = await EmulatorTestHost.ReadJsonAsync(missing);
        Assert.Equal("TABLE_DOES_NOT_EXIST", body.GetProperty("error_code").GetString());
        Assert.Equal("Table 'main.sync.nope' does not exist.", body.GetProperty("message").GetString());

        var exists = await Host.GetJsonAsync("/api/2.1/unity-catalog/tables/main.sync.nope/exists");
        Assert.False(exists.GetProperty("table_exists").GetBoolean());
    }

    [Fact]
    public async Task Tables_page_with_max_results_until_token_absent()
    {
        var names = new List<string>();
        string? token = null;
        do
        {
            var page = await Host.GetJsonAsync("/api/2.1/unity-catalog/tables?catalog_name=main&schema_name=many&max_results=10"
                                               + (token is null ? "" : "&page_token=" + Uri.EscapeDataString(token)));
            names.AddRange(page.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("name").GetString()!));
            token = page.TryGetProperty("next_page_token", out var next) ? next.GetString() : null;
        } while (token is not null);

        Assert.Equal(Host.Engine.ManyTableCount, names.Count);
        Assert.Equal(names.Distinct().Count(), names.Count);

        var all = await Host.GetJsonAsync("/api/2.1/unity-catalog/tables?catalog_name=main&schema_name=many");
        Assert.Equal(Host.Engine.ManyTableCount, all.GetProperty("tables").GetArrayLength());
    }

    [Fact]
    public async Task Negative_max_results_is_invalid_parameter()
    {
        using var response = await Host.Client.GetAsync("/api/2.1/unity-catalog/catalogs?max_results=-1");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_PARAMETER_VALUE", (await EmulatorTestHost.ReadJsonAsync(response)).GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task Missing_catalog_and_schema_are_404()
    {
        using var catalog = await Host.Client.GetAsync("/api/2.1/unity-catalog/schemas?catalog_name=nope");
        Assert.Equal("CATALOG_DOES_NOT_EXIST", (await EmulatorTestHost.ReadJsonAsync(catalog)).GetProperty("error_code").GetString());
        using var schema = await Host.Client.GetAsync("/api/2.1/unity-catalog/tables?catalog_name=main&schema_name=nope");
        Assert.Equal("SCHEMA_DOES_NOT_EXIST", (await EmulatorTestHost.ReadJsonAsync(schema)).GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task Volumes_list_and_get()
    {
        var volumes = await Host.GetJsonAsync("/api/2.1/unity-catalog/volumes?catalog_name=main&schema_name=sync");
        Assert.Equal(["exports", "staging"], volumes.GetProperty("volumes").EnumerateArray().Select(v => v.GetProperty("name").GetString()));

        var volume = await Host.GetJsonAsync("/api/2.1/unity-catalog/volumes/main.sync.staging");
        Assert.Equal("main.sync.staging", volume.GetProperty("full_name").GetString());
        Assert.Equal("MANAGED", volume.GetProperty("volume_type").GetString());

        using var missing = await Host.Client.GetAsync("/api/2.1/unity-catalog/volumes/main.sync.gone");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("Volume 'main.sync.gone' does not exist.", (await EmulatorTestHost.ReadJsonAsync(missing)).GetProperty("message").GetString());
    }
}
