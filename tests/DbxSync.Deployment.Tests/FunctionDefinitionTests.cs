using System.Text.Json;
using System.Text.RegularExpressions;
using DbxSync.Deployment.Tests.Support;

namespace DbxSync.Deployment.Tests;

/// <summary>host.json and functions/*/function.json follow the rules the Functions host enforces at start-up.</summary>
public class FunctionDefinitionTests
{
    private static readonly Regex FunctionName = new(@"^[a-z][a-z0-9_\-]{0,127}$", RegexOptions.IgnoreCase);
    private static readonly Regex BindingName = new(@"^[a-zA-Z][a-zA-Z0-9]{0,127}$");
    private static readonly Regex SettingReference = new(@"^%(?<name>[^%]+)%$");

    [Fact]
    public void Function_folder_names_are_valid_function_names()
    {
        foreach (var name in AppLayout.Functions().Keys)
        {
            Assert.Matches(FunctionName, name);
            Assert.NotEqual("host", name, StringComparer.OrdinalIgnoreCase);
            // Forwarded HTTP requests arrive under /api/..., invocations under /{FunctionName}.
            Assert.NotEqual("api", name, StringComparer.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Every_function_has_exactly_one_trigger_and_valid_binding_names()
    {
        foreach (var (name, function) in AppLayout.Functions())
        {
            var bindings = AppLayout.Bindings(function).ToList();
            Assert.True(bindings.Count > 0, $"{name}/function.json has no bindings.");
            foreach (var binding in bindings)
            {
                var bindingName = binding.GetString("name");
                Assert.True(bindingName == "$return" || bindingName is not null && BindingName.IsMatch(bindingName),
                    $"{name}: binding name '{bindingName}' must match ^[a-zA-Z][a-zA-Z0-9]{{0,127}}$ (no '_' or '-').");
                Assert.Contains(binding.GetString("direction"), new[] { "in", "out", "inout" });
            }
            var triggers = bindings.Where(b => b.GetString("type")?.EndsWith("Trigger", StringComparison.Ordinal) == true).ToList();
            Assert.True(triggers.Count == 1, $"{name} must have exactly one trigger, found {triggers.Count}.");
        }
    }

    [Fact]
    public void Http_functions_are_forwardable_with_a_res_output()
    {
        var httpFunctions = AppLayout.Functions().Where(f => AppLayout.Bindings(f.Value).Any(b => b.GetString("type") == "httpTrigger")).ToList();
        Assert.NotEmpty(httpFunctions);
        foreach (var (name, function) in httpFunctions)
        {
            var bindings = AppLayout.Bindings(function).ToList();
            // Forwarding applies only to exactly httpTrigger in + http out; anything more falls back to the JSON envelope.
            Assert.True(bindings.Count == 2, $"{name}: a forwarded HTTP function has exactly two bindings.");
            var output = Assert.Single(bindings, b => b.GetString("type") == "http");
            Assert.Equal("out", output.GetString("direction"));
            Assert.Equal("res", output.GetString("name"));
            var route = bindings.Single(b => b.GetString("type") == "httpTrigger").GetString("route") ?? name;
            Assert.False(route.StartsWith("admin", StringComparison.OrdinalIgnoreCase) || route.StartsWith("runtime", StringComparison.OrdinalIgnoreCase),
                $"{name}: routes beginning with admin or runtime are reserved by the host.");
        }
    }

    [Fact]
    public void Management_api_requires_a_function_key_and_health_is_anonymous()
    {
        var functions = AppLayout.Functions();
        Assert.True(functions.ContainsKey("ManagementApi"), "functions/ManagementApi/function.json is missing.");
        Assert.True(functions.ContainsKey("Health"), "functions/Health/function.json is missing.");
        var api = AppLayout.Bindings(functions["ManagementApi"]).Single(b => b.GetString("type") == "httpTrigger");
        // The API manages credentials, so it must never be anonymous; authLevel defaults to function when omitted.
        Assert.Contains(api.GetString("authLevel") ?? "function", new[] { "function", "admin" });
        var health = AppLayout.Bindings(functions["Health"]).Single(b => b.GetString("type") == "httpTrigger");
        Assert.Equal("anonymous", health.GetString("authLevel"));
    }

    [Fact]
    public void Timer_schedules_are_six_field_ncrontab_or_a_setting_defined_locally_and_in_bicep()
    {
        var timers = AppLayout.Functions()
            .SelectMany(f => AppLayout.Bindings(f.Value).Where(b => b.GetString("type") == "timerTrigger").Select(b => (f.Key, Binding: b)))
            .ToList();
        Assert.NotEmpty(timers);
        var localSettings = AppLayout.SampleLocalSettings();
        var bicepSettings = FunctionAppSettings.Load().FlexSettingNames;
        foreach (var (name, binding) in timers)
        {
            var schedule = binding.GetString("schedule");
            Assert.False(string.IsNullOrWhiteSpace(schedule), $"{name}: timerTrigger has no schedule.");
            var reference = SettingReference.Match(schedule!);
            if (!reference.Success)
            {
                Assert.True(Ncrontab.IsValid(schedule!, out var why), $"{name}: schedule '{schedule}': {why}");
                continue;
            }
            var setting = reference.Groups["name"].Value;
            Assert.True(localSettings.TryGetValue(setting, out var localValue), $"{name} reads %{setting}%, which local.settings.sample.json does not define.");
            Assert.True(Ncrontab.IsValid(localValue ?? "", out var localWhy), $"local.settings.sample.json {setting} = '{localValue}': {localWhy}");
            Assert.True(bicepSettings.Contains(setting), $"{name} reads %{setting}%, which functionapp.bicep does not set.");
            Assert.False(binding.TryGetProperty("runOnStartup", out var runOnStartup) && runOnStartup.ValueKind == JsonValueKind.True,
                $"{name}: runOnStartup would fire on every scale-out and restart.");
        }
    }

    [Fact]
    public void Queue_triggers_read_queues_declared_in_bicep()
    {
        var queueTriggers = AppLayout.Functions()
            .SelectMany(f => AppLayout.Bindings(f.Value).Where(b => b.GetString("type") == "queueTrigger").Select(b => (f.Key, Binding: b)))
            .ToList();
        Assert.NotEmpty(queueTriggers);
        var mainBicep = AppLayout.Bicep("main.bicep");
        var declaredStrings = mainBicep.StringLiterals().ToHashSet(StringComparer.Ordinal);
        foreach (var (name, binding) in queueTriggers)
        {
            var queue = binding.GetString("queueName");
            Assert.False(string.IsNullOrEmpty(queue), $"{name}: queueTrigger has no queueName.");
            Assert.True(declaredStrings.Contains(queue!), $"{name} reads queue '{queue}', which main.bicep does not declare.");
            var connection = binding.GetString("connection");
            // Identity-based host storage: only AzureWebJobsStorage__* settings exist in Azure.
            Assert.True(connection is null or "" or "AzureWebJobsStorage",
                $"{name}: connection '{connection}' has no identity-based settings in functionapp.bicep.");
        }
    }

    [Fact]
    public void Host_json_starts_the_custom_handler_with_forwarding_and_the_api_prefix()
    {
        var host = AppLayout.ReadJson("host.json");
        Assert.Equal("2.0", host.GetString("version"));
        Assert.True(host.TryGetProperty("customHandler", out var customHandler), "host.json has no customHandler section.");
        Assert.True(customHandler.TryGetProperty("description", out var description), "host.json customHandler has no description.");
        Assert.Equal(AppLayout.ExecutableName, description.GetString("defaultExecutablePath"));
        Assert.True(customHandler.TryGetProperty("enableForwardingHttpRequest", out var forwarding) && forwarding.ValueKind == JsonValueKind.True,
            "customHandler.enableForwardingHttpRequest must be true (the API is routed by ASP.NET Core).");

        Assert.True(host.TryGetProperty("extensionBundle", out var bundle), "host.json has no extensionBundle (queue trigger needs it).");
        Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", bundle.GetString("id"));
        // Flex Consumption requires bundle 4.x or later.
        Assert.Equal("[4.*, 5.0.0)", bundle.GetString("version"));

        var http = host.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("http", out var httpSection)
            ? httpSection
            : default;
        Assert.True(http.ValueKind == JsonValueKind.Object, "host.json has no extensions.http section.");
        Assert.Equal("api", http.GetString("routePrefix"));
    }
}
