using System.Text.Json;
using DbxSync.Deployment.Tests.Support;
using DbxSync.Testing;

namespace DbxSync.Deployment.Tests;

/// <summary>
/// The built app's functions.metadata (written by the Worker SDK from the [Function] attributes) lists the
/// functions the deployment wires up, with bindings that Flex Consumption and infra/ can serve.
/// </summary>
public class FunctionsMetadataTests
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> Functions = BuiltApp.Functions();

    private static JsonElement TriggerOf(string function)
    {
        Assert.True(Functions.TryGetValue(function, out var bindings), $"functions.metadata has no {function}.");
        return BuiltApp.Trigger(bindings!);
    }

    [Fact]
    public void Lists_the_timer_queue_and_event_grid_blob_functions()
    {
        var timer = TriggerOf("SyncTimer");
        Assert.Equal("timerTrigger", timer.GetString("type"));
        Assert.Equal("%SyncTimerSchedule%", timer.GetString("schedule"));
        Assert.False(timer.TryGetProperty("runOnStartup", out var runOnStartup) && runOnStartup.ValueKind == JsonValueKind.True,
            "runOnStartup would fire on every scale-out and restart.");

        var queue = TriggerOf("RunSync");
        Assert.Equal("queueTrigger", queue.GetString("type"));
        Assert.Equal("sync-runs", queue.GetString("queueName"));

        foreach (var (function, container) in new[] { ("ImportLabeledFile", "labeled"), ("SyncToVolume", "volumes"), ("ImportAnnotationsFile", "annotations") })
        {
            var blob = TriggerOf(function);
            Assert.Equal("blobTrigger", blob.GetString("type"));
            Assert.Equal($"{container}/{{name}}", blob.GetString("path"));
            // Flex Consumption starts no polling blob trigger: the host refuses any other source.
            Assert.Equal("EventGrid", blob.GetString("source"));
        }
    }

    [Fact]
    public void Http_api_functions_live_under_api_the_console_at_the_root_and_all_avoid_host_routes()
    {
        var http = Functions.Where(f => BuiltApp.Trigger(f.Value).GetString("type") == "httpTrigger").ToList();
        Assert.True(http.Count >= 10, $"Only {http.Count} HTTP functions in functions.metadata.");
        Assert.Contains(http, f => BuiltApp.Trigger(f.Value).GetString("route") == "api/health");
        Assert.Contains(http, f => BuiltApp.Trigger(f.Value).GetString("route") == "api/openapi.json");
        // The app's own middleware is the only gate: a function key on top would lock out token and Entra callers.
        Assert.All(http, f => Assert.Equal("anonymous", BuiltApp.Trigger(f.Value).GetString("authLevel")?.ToLowerInvariant()));
        foreach (var (name, bindings) in http)
        {
            var route = BuiltApp.Trigger(bindings).GetString("route") ?? name;
            // The host reserves /admin/... and /runtime/... (the blob event webhook is /runtime/webhooks/blobs).
            Assert.False(route.StartsWith("admin", StringComparison.OrdinalIgnoreCase) || route.StartsWith("runtime", StringComparison.OrdinalIgnoreCase),
                $"{name}: route {route} is reserved by the host.");
        }
        var host = AppLayout.ReadJson(Path.Combine(BuiltApp.Directory, "host.json"));
        // Empty, so the console can answer at the app's URL; every API route spells api/ itself (AppRoutes).
        Assert.Equal("", host.GetProperty("extensions").GetProperty("http").GetString("routePrefix"));
        // ...where the host's own "up and running" page would otherwise answer.
        Assert.Equal("true", DeployedSettings.Of(DeploymentSnapshot.Main)["AzureWebJobsDisableHomepage"]);
    }

    [Fact]
    public void Trigger_connections_are_the_identity_based_settings_infra_deploys()
    {
        var deployed = DeployedSettings.Of(DeploymentSnapshot.Main).Keys;
        foreach (var (name, bindings) in Functions)
        {
            var connection = BuiltApp.Trigger(bindings).GetString("connection");
            if (string.IsNullOrEmpty(connection)) continue;
            Assert.Equal("AzureWebJobsStorage", connection);
            // The blob trigger needs blob and queue endpoints; the queue trigger the queue endpoint.
            Assert.Contains($"{connection}__blobServiceUri", deployed);
            Assert.Contains($"{connection}__queueServiceUri", deployed);
            Assert.Contains($"{connection}__credential", deployed);
        }
    }

    [Fact]
    public void Queues_the_triggers_read_are_declared_in_infra()
    {
        var queues = DeploymentSnapshot.Main.ChildNames("Microsoft.Storage/storageAccounts/queueServices/queues");
        foreach (var (name, bindings) in Functions)
        {
            var trigger = BuiltApp.Trigger(bindings);
            if (trigger.GetString("type") != "queueTrigger") continue;
            var queue = trigger.GetString("queueName")!;
            Assert.Contains(queue, queues);
            // Where the host moves a message after maxDequeueCount failures.
            Assert.Contains(queue + "-poison", queues);
        }
    }

    [Fact]
    public void Blob_trigger_containers_are_declared_and_subscribed_in_infra()
    {
        var containers = DeploymentSnapshot.Main.ChildNames("Microsoft.Storage/storageAccounts/blobServices/containers");
        var eventGrid = File.ReadAllText(RepoPaths.Combine("infra", "eventgrid.bicep"));
        foreach (var (name, bindings) in Functions)
        {
            var trigger = BuiltApp.Trigger(bindings);
            if (trigger.GetString("type") != "blobTrigger") continue;
            var container = trigger.GetString("path")!.Split('/')[0];
            Assert.Contains(container, containers);
            // eventgrid.bicep pairs each blob function with its container; EventGridTests checks what it deploys.
            Assert.Contains($"{{ functionName: '{name}', container: '{container}' }}", eventGrid);
        }
    }

    [Fact]
    public void Azure_auth_modes_never_trust_a_function_key_the_host_does_not_check()
    {
        // The HTTP functions are anonymous to the host, so DbxSync:Api:AuthMode=host (trust that the host
        // checked a key) would let any x-functions-key header through. Azure offers tokens and easyauth only.
        var anonymous = Functions.Values.Select(BuiltApp.Trigger)
            .Any(t => t.GetString("type") == "httpTrigger" && string.Equals(t.GetString("authLevel"), "Anonymous", StringComparison.OrdinalIgnoreCase));
        var allowed = CompiledMain().GetProperty("parameters").GetProperty("apiAuthMode").GetProperty("allowedValues")
            .EnumerateArray().Select(v => v.GetString()).ToList();
        if (anonymous) Assert.DoesNotContain("host", allowed);
        Assert.Contains("tokens", allowed);
        Assert.Contains("easyauth", allowed);
    }

    private static JsonElement CompiledMain()
    {
        var run = BicepCli.Run(AppLayout.InfraDirectory, "build", "main.bicep", "--stdout");
        Assert.Equal(0, run.ExitCode);
        using var document = JsonDocument.Parse(run.Output[run.Output.IndexOf('{')..]);
        return document.RootElement.Clone();
    }
}
