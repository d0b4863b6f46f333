using System.Net;
using DbxSync.Functions.Health;
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
        // Authenticated: a fresh report (anonymous ones may be up to 30 s old).
        var deps = (await ReadJsonAsync(await Admin.GetAsync("/api/health"))).GetProperty("dependencies");
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
    public async Task Anonymous_health_is_cached_so_repeated_calls_do_not_reach_key_vault_each_time()
    {
        await using var own = await ApiFixture.StartWithSettingsAsync(new Dictionary<string, string>());
        var before = KeyVaultRequests(own);
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.OK, (await own.Anonymous.GetAsync("/api/health")).StatusCode);
        var anonymousRuns = KeyVaultRequests(own) - before;
        Assert.InRange(anonymousRuns, 0, 1);

        // An authenticated caller gets a fresh report: the checks run again.
        Assert.Equal(HttpStatusCode.OK, (await own.Admin.GetAsync("/api/health")).StatusCode);
        Assert.Equal(anonymousRuns + 1, KeyVaultRequests(own) - before);
    }

    /// <summary>How often the dependency checks (Key Vault among them) really ran in that host's worker.</summary>
    private static int KeyVaultRequests(ApiFixture fixture) => fixture.Host.Output.Count(l => l.Contains(HealthReporter.ChecksRanMessage, StringComparison.Ordinal));
}
