using System.Net;
using System.Text;
using System.Text.Json;

namespace DbxSync.Emulator.Tests.Http;

/// <summary>
/// WorkspaceClient.catalogs.create, schemas.create, volumes.create and the deletes, as the Databricks SDK for Python sends
/// them (replayed from databricks/databricks-sdk-py @9ae2241564f9, databricks/sdk/service/catalog.py): a JSON body with
/// only the arguments given, Accept and Content-Type application/json, and the answer parsed with CatalogInfo/SchemaInfo/
/// VolumeInfo.from_dict. Runs on the real engine, signed in as the service principal.
/// </summary>
public sealed class PythonSdkCatalogSequenceTests : IAsyncLifetime
{
    private readonly RealEngineEmulator _emulator = new();
    private readonly HttpClient _workspace = new();

    public async Task InitializeAsync()
    {
        await _emulator.InitializeAsync();
        _workspace.BaseAddress = _emulator.Handle.BaseUrl;
    }

    public async Task DisposeAsync()
    {
        _workspace.Dispose();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task Catalogs_schemas_and_volumes_create_as_the_python_sdk_does_without_a_failed_request()
    {
        _emulator.Handle.Stats.Reset();
        await PythonSdkAuth.AuthenticateAsync(_workspace, _emulator.Handle);

        // CatalogsAPI.create(name, comment=...) l. 15868-15957: POST /api/2.1/unity-catalog/catalogs.
        var catalog = await SendAsync(HttpMethod.Post, "/api/2.1/unity-catalog/catalogs", """{"comment": "sdk", "name": "sdk_cat"}""");
        Assert.Equal("sdk_cat", catalog.GetProperty("name").GetString());
        // A service principal is known by its application id (the OAuth client id), and owns what it creates.
        Assert.Equal(_emulator.Handle.ClientId, catalog.GetProperty("owner").GetString());

        // SchemasAPI.create(name, catalog_name) l. 20346-20398.
        var schema = await SendAsync(HttpMethod.Post, "/api/2.1/unity-catalog/schemas", """{"catalog_name": "sdk_cat", "name": "landing"}""");
        Assert.Equal("sdk_cat.landing", schema.GetProperty("full_name").GetString());

        // VolumesAPI.create(catalog_name, schema_name, name, volume_type=VolumeType.MANAGED) l. 21931-22003.
        var volume = await SendAsync(HttpMethod.Post, "/api/2.1/unity-catalog/volumes",
            """{"catalog_name": "sdk_cat", "name": "files", "schema_name": "landing", "volume_type": "MANAGED"}""");
        Assert.Equal("sdk_cat.landing.files", volume.GetProperty("full_name").GetString());
        Assert.Equal("MANAGED", volume.GetProperty("volume_type").GetString());

        // VolumesAPI.read / CatalogsAPI.get after the create see the same objects.
        Assert.Equal(volume.GetProperty("volume_id").GetString(),
            (await SendAsync(HttpMethod.Get, "/api/2.1/unity-catalog/volumes/sdk_cat.landing.files", null)).GetProperty("volume_id").GetString());

        // CatalogsAPI.delete(name, force=True) l. 15959-15982: query force=true, no body; the answer is empty.
        var deleted = await SendAsync(HttpMethod.Delete, "/api/2.1/unity-catalog/catalogs/sdk_cat?force=true", null);
        Assert.Empty(deleted.EnumerateObject());

        Assert.Empty(_emulator.Handle.Stats.FailedRequests);
        var routes = _emulator.Handle.Stats.RequestsByRoute;
        Assert.Equal(1, routes["POST /api/2.1/unity-catalog/catalogs"]);
        Assert.Equal(1, routes["POST /api/2.1/unity-catalog/schemas"]);
        Assert.Equal(1, routes["POST /api/2.1/unity-catalog/volumes"]);
        Assert.Equal(1, routes["DELETE /api/2.1/unity-catalog/catalogs/{name}"]);
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.ParseAdd("application/json");
        if (json != null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _workspace.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path} -> {(int)response.StatusCode} {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
