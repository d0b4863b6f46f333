using System.Text.Json;
using DbxSync.Functions.Api.OpenApi;
using DbxSync.Functions.Tests.Infrastructure;
using Xunit;

namespace DbxSync.Functions.Tests;

[Collection(ApiCollection.Name)]
public sealed class OpenApiTests(ApiFixture fixture) : ApiTestBase(fixture)
{
    [Fact]
    public async Task Document_describes_every_mapped_api_route_and_method()
    {
        var response = await Admin.GetAsync("/api/openapi.json");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var doc = await ReadJsonAsync(response);
        Assert.StartsWith("3.0", doc.GetProperty("openapi").GetString());
        var paths = doc.GetProperty("paths");

        // What the host routes under api/: the built app's functions.metadata (the catch-alls and the console aside).
        using var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(ApiFixture.AppDirectory, "functions.metadata")));
        var mapped = metadata.RootElement.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray())
            .Where(b => b.GetProperty("type").GetString() == "httpTrigger" && b.GetProperty("route").GetString()!.StartsWith("api/", StringComparison.Ordinal)
                        && !b.GetProperty("route").GetString()!.Contains("{*"))
            .SelectMany(b => b.GetProperty("methods").EnumerateArray().Select(m => (Path: OpenApiDocumentBuilder.PathOf("/" + b.GetProperty("route").GetString()), Method: m.GetString()!.ToLowerInvariant())))
            .ToList();

        Assert.True(mapped.Count >= 24, $"only {mapped.Count} routes mapped");
        foreach (var (path, method) in mapped)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is not documented");
            Assert.True(item.TryGetProperty(method, out var op), $"{method.ToUpperInvariant()} {path} is not documented");
            Assert.True(op.TryGetProperty("responses", out _));
        }
    }

    [Fact]
    public async Task Request_bodies_and_snake_case_schemas_are_documented()
    {
        var doc = await ReadJsonAsync(await Admin.GetAsync("/api/openapi.json"));
        var post = doc.GetProperty("paths").GetProperty("/api/databricks/sync-configs").GetProperty("post");
        Assert.True(post.TryGetProperty("requestBody", out _));
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("SyncConfigInput").GetProperty("properties").TryGetProperty("databricks_path", out _));
        Assert.False(schemas.GetProperty("PrincipalResponse").GetProperty("properties").TryGetProperty("secret_name", out _));
    }

    [Fact]
    public async Task Schemas_mark_required_fields_and_list_enum_values()
    {
        var schemas = (await ReadJsonAsync(await Admin.GetAsync("/api/openapi.json"))).GetProperty("components").GetProperty("schemas");
        var run = schemas.GetProperty("RunResponse");
        var required = run.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ToList();
        Assert.Contains("run_id", required);
        Assert.Contains("outcome", required);
        Assert.DoesNotContain("error", required);
        var outcomes = run.GetProperty("properties").GetProperty("outcome").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(new[] { "running", "succeeded", "no_change", "failed", "skipped", "queued", "partial" }, outcomes);
        Assert.Contains("blob_event", run.GetProperty("properties").GetProperty("trigger").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }
}
