using System.Text.Json;
using DbxSync.Deployment.Tests.Support;
using NCrontab;

namespace DbxSync.Deployment.Tests;

/// <summary>The function app a deployment of main.bicepparam creates runs the isolated worker on Flex Consumption as Flex requires.</summary>
public class FlexConsumptionTests
{
    /// <summary>App settings Flex Consumption rejects or ignores (Learn: functions-app-settings, "Flex Consumption plan deprecations").</summary>
    private static readonly string[] FlexDeprecatedSettings =
    [
        "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_WORKER_RUNTIME_VERSION", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE",
        "WEBSITE_CONTENTSHARE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTOVERVNET",
        "WEBSITE_SKIP_CONTENTSHARE_VALIDATION", "SCM_DO_BUILD_DURING_DEPLOYMENT", "ENABLE_ORYX_BUILD",
        "FUNCTIONS_MAX_HTTP_CONCURRENCY", "FUNCTIONS_WORKER_PROCESS_COUNT", "FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED",
        "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT", "WEBSITE_NODE_DEFAULT_VERSION", "WEBSITE_DNS_SERVER", "WEBSITE_VNET_ROUTE_ALL",
        "WEBSITE_TIME_ZONE", "TZ",
    ];

    /// <summary>Site properties Flex moved into functionAppConfig or dropped.</summary>
    private static readonly string[] FlexDeprecatedSiteConfig =
        ["linuxFxVersion", "alwaysOn", "netFrameworkVersion", "use32BitWorkerProcess", "functionAppScaleLimit", "preWarmedInstanceCount"];

    private static JsonElement Site => DeploymentSnapshot.Main.Single(DeployedSettings.SiteType);

    [Fact]
    public void Plan_is_flex_consumption_on_linux()
    {
        var plan = DeploymentSnapshot.Main.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FlexConsumption", plan.StringAt("sku.tier"));
        Assert.Equal("FC1", plan.StringAt("sku.name"));
        Assert.True(plan.At("properties.reserved").GetBoolean());
        Assert.Equal("functionapp,linux", Site.StringAt("kind"));
        Assert.Contains(plan.StringAt("name")!, Site.StringAt("properties.serverFarmId"));
    }

    [Fact]
    public void Runtime_is_dotnet_isolated_10()
    {
        Assert.Equal("dotnet-isolated", Site.StringAt("properties.functionAppConfig.runtime.name"));
        Assert.Equal("10.0", Site.StringAt("properties.functionAppConfig.runtime.version"));
    }

    [Fact]
    public void Code_package_lives_in_a_declared_container_read_with_the_app_identity()
    {
        var storage = Site.At("properties.functionAppConfig.deployment.storage");
        Assert.Equal("blobContainer", storage.StringAt("type"));
        Assert.Equal("SystemAssignedIdentity", storage.StringAt("authentication.type"));
        Assert.Equal("SystemAssigned", Site.StringAt("identity.type"));

        var containers = DeploymentSnapshot.Main.ChildNames("Microsoft.Storage/storageAccounts/blobServices/containers");
        var packageContainer = Assert.Single(containers, c => c.StartsWith("app-package-", StringComparison.Ordinal));
        Assert.InRange(packageContainer.Length, 3, 63);
        // The value is '<blob endpoint><container>' with the endpoint computed by Azure.
        Assert.EndsWith($"'{packageContainer}')]", storage.StringAt("value"));
        Assert.Contains(".primaryEndpoints.blob", storage.StringAt("value"));
    }

    [Fact]
    public void None_of_the_settings_flex_rejects_are_set()
    {
        var settings = DeployedSettings.Of(DeploymentSnapshot.Main);
        var forbidden = settings.Keys.Where(k => FlexDeprecatedSettings.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList();
        Assert.True(forbidden.Count == 0, "Flex Consumption rejects: " + string.Join(", ", forbidden));

        var siteConfig = Site.At("properties.siteConfig");
        Assert.DoesNotContain(siteConfig.EnumerateObject(), p => FlexDeprecatedSiteConfig.Contains(p.Name, StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public void Scale_settings_are_within_flex_limits()
    {
        var scale = Site.At("properties.functionAppConfig.scaleAndConcurrency");
        Assert.Contains(scale.At("instanceMemoryMB").GetInt32(), new[] { 512, 2048, 4096 });
        Assert.InRange(scale.At("maximumInstanceCount").GetInt32(), 1, 1000);
    }

    [Fact]
    public void Site_is_https_only_without_ftp()
    {
        Assert.True(Site.At("properties.httpsOnly").GetBoolean());
        Assert.Equal("Disabled", Site.StringAt("properties.siteConfig.ftpsState"));
        Assert.Equal("1.2", Site.StringAt("properties.siteConfig.minTlsVersion"));
    }

    [Fact]
    public void Trigger_storage_is_identity_based_on_the_app_account()
    {
        var settings = DeployedSettings.Of(DeploymentSnapshot.Main);
        // A plain connection string would need account keys, which the storage account disables.
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        foreach (var service in new[] { "blob", "queue", "table" })
        {
            var hostUri = settings[$"AzureWebJobsStorage__{service}ServiceUri"];
            Assert.Contains($".primaryEndpoints.{service}", hostUri);
            // The app's own clients (DbxSync:Storage:*) use the same account as the triggers.
            Assert.Equal(hostUri, settings[$"DbxSync__Storage__{char.ToUpperInvariant(service[0])}{service[1..]}ServiceUri"]);
        }
        Assert.DoesNotContain(settings.Values, v => v.Contains("AccountKey", StringComparison.OrdinalIgnoreCase) || v.Contains("listKeys", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Telemetry_goes_to_app_insights_with_entra_auth()
    {
        var settings = DeployedSettings.Of(DeploymentSnapshot.Main);
        Assert.Equal("Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Contains(".ConnectionString", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        var insights = DeploymentSnapshot.Main.Single("Microsoft.Insights/components");
        Assert.True(insights.At("properties.DisableLocalAuth").GetBoolean());
    }

    [Fact]
    public void Timer_schedule_is_six_field_ncrontab_in_azure_and_locally()
    {
        // Six fields, seconds first, as the Functions timer trigger reads them.
        var options = new CrontabSchedule.ParseOptions { IncludingSeconds = true };
        var deployed = DeployedSettings.Of(DeploymentSnapshot.Main)["SyncTimerSchedule"];
        Assert.True(CrontabSchedule.TryParse(deployed, options) is not null, $"Deployed SyncTimerSchedule '{deployed}' is not 6-field NCRONTAB.");
        var local = AppLayout.SampleLocalSettings()["SyncTimerSchedule"] ?? "";
        Assert.True(CrontabSchedule.TryParse(local, options) is not null, $"local.settings.sample.json SyncTimerSchedule '{local}' is not 6-field NCRONTAB.");
        Assert.Null(CrontabSchedule.TryParse("*/5 * * * *", options));
    }

    [Fact]
    public void Easy_auth_exempts_health_probes_the_blob_event_webhook_and_the_console_shell()
    {
        var snapshot = DeploymentSnapshot.MainWithOptions;
        var auth = snapshot.Single("Microsoft.Web/sites/config");
        Assert.EndsWith("/authsettingsV2", auth.StringAt("name"));
        Assert.True(auth.At("properties.globalValidation.requireAuthentication").GetBoolean());
        var excluded = auth.At("properties.globalValidation.excludedPaths").EnumerateArray().Select(p => p.GetString()).ToList();
        // Event Grid cannot present an Entra token; the blobs_extension key in the URL protects that path.
        Assert.Equal(new[] { "/", "/assets/*", "/api/me", "/api/console/*", "/api/health", "/runtime/webhooks/blobs" }, excluded);
        Assert.Equal("easyauth", DeployedSettings.Of(snapshot)["DbxSync__Api__AuthMode"]);

        Assert.Empty(DeploymentSnapshot.Main.OfType("Microsoft.Web/sites/config"));
    }
}
