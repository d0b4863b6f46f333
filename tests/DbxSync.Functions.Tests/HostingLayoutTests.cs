using DbxSync.Azure.Secrets;
using DbxSync.Azure.Storage;
using System.Net;
using System.Text.Json;
using DbxSync.Functions.Hosting;
using DbxSync.Functions.Invocations;
using DbxSync.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace DbxSync.Functions.Tests;

/// <summary>host.json, function.json and settings agree with what the executable expects.</summary>
public sealed class HostingLayoutTests
{
    private static JsonElement ReadJson(params string[] parts)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepoPaths.Combine(parts)));
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Host_json_declares_the_custom_handler()
    {
        var host = ReadJson("host.json");
        Assert.Equal("2.0", host.GetProperty("version").GetString());
        Assert.Equal("[4.*, 5.0.0)", host.GetProperty("extensionBundle").GetProperty("version").GetString());
        var handler = host.GetProperty("customHandler");
        Assert.Equal("DbxSync.Functions", handler.GetProperty("description").GetProperty("defaultExecutablePath").GetString());
        Assert.True(handler.GetProperty("enableForwardingHttpRequest").GetBoolean());
        Assert.Equal("api", host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.Contains(host.GetProperty("extensions").GetProperty("queues").GetProperty("messageEncoding").GetString(), new[] { "none", "base64" });
        Assert.True(TimeSpan.TryParse(host.GetProperty("functionTimeout").GetString(), out _));
    }

    [Fact]
    public void Function_json_files_match_the_invocation_endpoints()
    {
        var timer = ReadJson("functions", InvocationEndpoints.SyncTimer, "function.json").GetProperty("bindings")[0];
        Assert.Equal("timerTrigger", timer.GetProperty("type").GetString());
        Assert.Equal(InvocationEndpoints.TimerBinding, timer.GetProperty("name").GetString());
        Assert.Equal("%SyncTimerSchedule%", timer.GetProperty("schedule").GetString());
        Assert.True(timer.GetProperty("useMonitor").GetBoolean());
        Assert.False(timer.GetProperty("runOnStartup").GetBoolean());

        var queue = ReadJson("functions", InvocationEndpoints.BlobEvents, "function.json").GetProperty("bindings")[0];
        Assert.Equal("queueTrigger", queue.GetProperty("type").GetString());
        Assert.Equal(InvocationEndpoints.BlobEventsBinding, queue.GetProperty("name").GetString());
        Assert.Equal("blob-events", queue.GetProperty("queueName").GetString());
        Assert.Equal("AzureWebJobsStorage", queue.GetProperty("connection").GetString());

        var api = ReadJson("functions", "ManagementApi", "function.json").GetProperty("bindings");
        Assert.Equal("function", api[0].GetProperty("authLevel").GetString());
        Assert.Equal("{*path}", api[0].GetProperty("route").GetString());
        Assert.Equal("http", api[1].GetProperty("type").GetString());

        var health = ReadJson("functions", "Health", "function.json").GetProperty("bindings");
        Assert.Equal("anonymous", health[0].GetProperty("authLevel").GetString());
        Assert.Equal("health", health[0].GetProperty("route").GetString());
    }

    [Fact]
    public void Every_setting_is_documented_and_in_the_local_sample()
    {
        var values = ReadJson("local.settings.sample.json").GetProperty("Values");
        foreach (var key in SettingNames.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(SettingNames.Documented[key]));
            Assert.True(values.TryGetProperty(SettingNames.ToAppSetting(key), out _), $"{SettingNames.ToAppSetting(key)} missing from local.settings.sample.json");
        }
        foreach (var hostSetting in new[] { "FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage", "SyncTimerSchedule" })
            Assert.True(values.TryGetProperty(hostSetting, out _), hostSetting);
        Assert.Equal("custom", values.GetProperty("FUNCTIONS_WORKER_RUNTIME").GetString());
    }

    [Fact]
    public void Options_properties_all_have_a_setting_name()
    {
        var bound = new (string Section, Type Type)[]
        {
            (StorageSettings.Section, typeof(StorageSettings)), (KeyVaultSettings.Section, typeof(KeyVaultSettings)),
            (SchedulerSettings.Section, typeof(SchedulerSettings)), (Api.Auth.ApiAuthOptions.Section, typeof(Api.Auth.ApiAuthOptions)),
        };
        foreach (var (section, type) in bound)
            foreach (var prop in type.GetProperties().Where(p => p.CanWrite))
                Assert.Contains($"{section}:{prop.Name}", SettingNames.All);
    }

    [Fact]
    public void Hosting_mode_comes_from_the_host_port_or_serve()
    {
        IConfiguration Config(params (string, string)[] pairs) => new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Item1, p.Item2))).Build();

        Assert.Equal(new HostingMode(HostingKind.CustomHandler, 4321), HostingMode.Resolve([], Config((SettingNames.CustomHandlerPort, "4321"))));
        Assert.Equal(new HostingMode(HostingKind.Standalone, 7071), HostingMode.Resolve(["serve"], Config()));
        Assert.Equal(new HostingMode(HostingKind.Standalone, 9000), HostingMode.Resolve(["serve", "--port", "9000"], new ConfigurationBuilder().AddCommandLine(["serve", "--port", "9000"]).Build()));
        Assert.Null(HostingMode.Resolve([], Config()));
        Assert.Throws<InvalidOperationException>(() => HostingMode.Resolve([], Config((SettingNames.CustomHandlerPort, "nope"))));
    }

    [Fact]
    public async Task Serve_mode_listens_on_loopback_and_runs_its_timer_loop_only_there()
    {
        var backends = await Infrastructure.ApiFixture.BackendSettingsAsync();
        await using var served = DbxSyncApplication.Build(["serve", "--port", "0"], c => c.AddInMemoryCollection(backends).AddInMemoryCollection(new Dictionary<string, string?> { [SettingNames.SchedulerTickSeconds] = "3600" }))!;
        Assert.Contains(served.Services.GetServices<IHostedService>(), s => s is SchedulerTimerService);

        await using var hosted = DbxSyncApplication.Build([], c => c.AddInMemoryCollection(backends).AddInMemoryCollection(new Dictionary<string, string?> { [SettingNames.CustomHandlerPort] = "0" }))!;
        Assert.DoesNotContain(hosted.Services.GetServices<IHostedService>(), s => s is SchedulerTimerService);

        await served.StartAsync();
        var address = new Uri(served.Urls.Single());
        Assert.Equal("127.0.0.1", address.Host);
        using var client = new HttpClient { BaseAddress = address };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        await served.StopAsync();
    }
}
