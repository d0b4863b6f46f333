using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace DbxSync.Functions.Tests.Infrastructure;

/// <summary>Helpers that speak the API as a client would: plain HTTP and JSON.</summary>
public abstract class ApiTestBase(ApiFixture fixture)
{
    protected ApiFixture Fixture { get; } = fixture;
    protected HttpClient Admin => Fixture.Admin;

    protected static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
    protected static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    protected static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>Asserts an RFC 7807 body with the given type slug and status, and returns it.</summary>
    protected static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string typeSlug, string? field = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(text);
        var problem = doc.RootElement.Clone();
        Assert.Equal("https://dbxsync.dev/problems/" + typeSlug, problem.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        if (field is not null) Assert.Equal(field, problem.GetProperty("field").GetString());
        return problem;
    }

    protected async Task<JsonElement> RegisterPrincipalAsync(string? name = null)
    {
        var response = await Admin.PostAsync("/api/databricks/service-principals", Json(new
        {
            workspace_url = Fixture.WorkspaceUrl, client_id = Fixture.ClientId, client_secret = Fixture.ClientSecret, name = name ?? "labeling",
        }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await ReadJsonAsync(response);
    }

    protected async Task<JsonElement> CreateConfigAsync(string principalId, string configType = "table")
    {
        object body = configType switch
        {
            "table" or "table_reverse" => new { name = "items " + configType, config_type = configType, databricks_path = "main.default.items", service_principal_id = principalId, pk_column = "id", label_column = "label" },
            _ => new { name = "files " + configType, config_type = configType, databricks_path = "/Volumes/main/default/files", service_principal_id = principalId },
        };
        var response = await Admin.PostAsync("/api/databricks/sync-configs", Json(body));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await ReadJsonAsync(response);
    }

    protected async Task<List<JsonElement>> RunsAsync(string configId)
        => (await ReadJsonAsync(await Admin.GetAsync($"/api/databricks/sync-configs/{configId}/runs"))).GetProperty("items").EnumerateArray().ToList();

    /// <summary>Polls a run's URL as ./dbxsync run does, until it is neither queued nor running.</summary>
    protected async Task<JsonElement> WaitForRunAsync(string location, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var response = await Admin.GetAsync(location);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var run = await ReadJsonAsync(response);
                if (run.GetProperty("outcome").GetString() is not ("queued" or "running")) return run;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the run at {location} did not finish within {seconds} s");
            await Task.Delay(250);
        }
    }

    /// <summary>The newest finished run of a config, waiting for one (runs a trigger started).</summary>
    protected async Task<JsonElement> WaitForAnyRunAsync(string configId, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var finished = (await RunsAsync(configId)).FirstOrDefault(r => r.GetProperty("outcome").GetString() is not ("queued" or "running"));
            if (finished.ValueKind == JsonValueKind.Object) return finished;
            Assert.True(DateTime.UtcNow < deadline, $"no run of {configId} finished within {seconds} s");
            await Task.Delay(250);
        }
    }

    protected static string Id(JsonElement resource) => resource.GetProperty("id").GetString()!;
}
