using System.Text.Json;
using DbxSync.Functions.Hosting;
using DbxSync.Functions.Tests.Infrastructure;
using DbxSync.Testing;
using Xunit;

namespace DbxSync.Functions.Tests;

/// <summary>The built app is an isolated worker whose metadata lists every trigger kind, and host.json holds only what the isolated model reads.</summary>
public sealed class AppLayoutTests
{
    private static JsonElement ReadJson(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    private static Dictionary<string, JsonElement> Triggers()
        => ReadJson(Path.Combine(ApiFixture.AppDirectory, "functions.metadata")).EnumerateArray().ToDictionary(
            f => f.GetProperty("name").GetString()!,
            f => f.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal)));

    [Fact]
    public void Functions_metadata_lists_the_http_timer_queue_and_event_grid_blob_functions()
    {
        var triggers = Triggers();
        Assert.Equal("timerTrigger", triggers["SyncTimer"].GetProperty("type").GetString());
        Assert.Equal("%SyncTimerSchedule%", triggers["SyncTimer"].GetProperty("schedule").GetString());
        Assert.Equal("queueTrigger", triggers["RunSync"].GetProperty("type").GetString());
        Assert.Equal(StorageRunQueue.Name, triggers["RunSync"].GetProperty("queueName").GetString());
        foreach (var (name, path) in new[] { ("ImportLabeledFile", "labeled/{name}"), ("SyncToVolume", "volumes/{name}"), ("ImportAnnotationsFile", "annotations/{name}") })
        {
            Assert.Equal("blobTrigger", triggers[name].GetProperty("type").GetString());
            Assert.Equal(path, triggers[name].GetProperty("path").GetString());
            Assert.Equal("EventGrid", triggers[name].GetProperty("source").GetString());
        }
        foreach (var name in new[] { "RunSync", "ImportLabeledFile", "SyncToVolume", "ImportAnnotationsFile" })
            Assert.Equal(SettingNames.WebJobsStorage, triggers[name].GetProperty("connection").GetString());
        var http = triggers.Values.Where(t => t.GetProperty("type").GetString() == "httpTrigger").ToList();
        Assert.True(http.Count >= 24, $"only {http.Count} HTTP functions");
        Assert.Contains(http, t => t.GetProperty("route").GetString() == "api/health");
        Assert.Contains(http, t => t.GetProperty("route").GetString() == "api/databricks/sync-configs/{id}/runs/{run_id}");
        // The app's own auth is the one gate (DESIGN.md section 1): every function is anonymous to the host.
        Assert.All(http, t => Assert.Equal("Anonymous", t.GetProperty("authLevel").GetString()));
    }

    [Fact]
    public void The_build_output_is_a_dotnet_isolated_worker()
    {
        var config = ReadJson(Path.Combine(ApiFixture.AppDirectory, "worker.config.json")).GetProperty("description");
        Assert.Equal("dotnet-isolated", config.GetProperty("language").GetString());
        Assert.Equal("DbxSync.Functions.dll", config.GetProperty("defaultWorkerPath").GetString());
    }

    [Fact]
    public void Host_json_has_only_what_the_isolated_model_reads()
    {
        var host = ReadJson(RepoPaths.Combine("host.json"));
        Assert.Equal("2.0", host.GetProperty("version").GetString());
        // Only what the isolated model reads: no handler section and no extension bundle (.NET apps carry their extensions).
        Assert.Equal(new[] { "extensions", "functionTimeout", "logging", "version" }, host.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        // The console lives at "/": every API route spells "api/" itself (AppRoutes).
        Assert.Equal("", host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.True(host.GetProperty("extensions").GetProperty("queues").GetProperty("maxDequeueCount").GetInt32() > 1);
        Assert.True(TimeSpan.TryParse(host.GetProperty("functionTimeout").GetString(), out _));
        // The build copies it next to the worker, where the host reads it.
        Assert.Equal(File.ReadAllText(RepoPaths.Combine("host.json")), File.ReadAllText(Path.Combine(ApiFixture.AppDirectory, "host.json")));
    }

    [Fact]
    public void Local_settings_sample_is_for_the_isolated_worker_and_names_every_setting_the_app_reads()
    {
        var values = ReadJson(RepoPaths.Combine("local.settings.sample.json")).GetProperty("Values");
        Assert.Equal("dotnet-isolated", values.GetProperty("FUNCTIONS_WORKER_RUNTIME").GetString());
        Assert.Equal("UseDevelopmentStorage=true", values.GetProperty("AzureWebJobsStorage").GetString());
        foreach (var key in SettingNames.All)
            Assert.True(values.TryGetProperty(SettingNames.ToAppSetting(key), out _), $"{SettingNames.ToAppSetting(key)} is missing from local.settings.sample.json");
    }
}
