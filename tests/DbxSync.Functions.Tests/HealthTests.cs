using System.Net;
using DbxSync.Functions.Tests.Infrastructure;
using Xunit;

namespace DbxSync.Functions.Tests;

[Collection(ApiCollection.Name)]
public sealed class HealthTests(ApiFixture fixture) : ApiTestBase(fixture)
{
    [Fact]
    public async Task Healthy_dependencies_answer_200_with_each_dependency()
    {
        var response = await Fixture.Anonymous.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ReadJsonAsync(response);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        var deps = body.GetProperty("dependencies");
        Assert.Equal("up", deps.GetProperty("storage").GetProperty("status").GetString());
        Assert.Equal("up", deps.GetProperty("secret_store").GetProperty("status").GetString());
        Assert.True(deps.GetProperty("storage").TryGetProperty("reason", out _));
        foreach (var dep in deps.EnumerateObject())
            Assert.False(dep.Value.TryGetProperty("is_up", out _), $"{dep.Name} leaks the computed is_up");
        Assert.Contains(deps.GetProperty("databricks").GetProperty("status").GetString(), new[] { "up", "not_configured" });
    }

    [Fact]
    public async Task Databricks_reports_registered_principals()
    {
        await RegisterPrincipalAsync();
        var deps = (await ReadJsonAsync(await Fixture.Anonymous.GetAsync("/api/health"))).GetProperty("dependencies");
        Assert.Equal("up", deps.GetProperty("databricks").GetProperty("status").GetString());
        Assert.Contains("principal", deps.GetProperty("databricks").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Unreachable_dependencies_answer_503_with_reasons()
    {
        await using var broken = await ApiFixture.StartWithUnreachableDependenciesAsync();
        var response = await broken.Anonymous.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await ReadJsonAsync(response);
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        foreach (var name in new[] { "storage", "secret_store" })
        {
            var dep = body.GetProperty("dependencies").GetProperty(name);
            Assert.Equal("down", dep.GetProperty("status").GetString());
            Assert.False(string.IsNullOrEmpty(dep.GetProperty("reason").GetString()));
        }
    }

    [Fact]
    public async Task Readiness_probe_on_root_answers()
        => Assert.Equal(HttpStatusCode.OK, (await Fixture.Anonymous.GetAsync("/")).StatusCode);
}
