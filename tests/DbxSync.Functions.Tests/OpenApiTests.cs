using System.Text.Json;
using DbxSync.Functions.Api.OpenApi;
using DbxSync.Functions.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
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

        var mapped = Fixture.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => OpenApiDocumentBuilder.PathOf(e.RoutePattern).StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Path: OpenApiDocumentBuilder.PathOf(e.RoutePattern), Method: m.ToLowerInvariant())))
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
}
