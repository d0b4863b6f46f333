using System.Reflection;
using DbxSync.Deployment.Tests.Support;

namespace DbxSync.Deployment.Tests;

/// <summary>
/// Every configuration key the app reads is defined for local runs (local.settings.sample.json) and in the app
/// settings a deployment of infra/main.bicep creates, so a new setting cannot ship without a value.
/// </summary>
public class AppSettingsCoverageTests
{
    /// <summary>
    /// Local development only: in Azure, storage is reached by managed identity (account name and service URIs)
    /// and Key Vault by managed identity, so a connection string, a dev bearer token or a dev TLS certificate
    /// must not be configured there.
    /// </summary>
    private static readonly HashSet<string> LocalOnlyKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "DbxSync__Storage__ConnectionString",
        "DbxSync__KeyVault__DevToken",
        "DbxSync__KeyVault__TrustedCertificatePath",
        "DbxSync__Entra__TrustedCertificatePath",
    };

    /// <summary>Set by the Functions host or App Service at run time, never by configuration.</summary>
    private static readonly HashSet<string> PlatformProvidedKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "FUNCTIONS_APPLICATION_DIRECTORY", "FUNCTIONS_WORKER_DIRECTORY", "WEBSITE_HOSTNAME", "WEBSITE_SITE_NAME",
        "WEBSITE_INSTANCE_ID", "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT",
        "DOTNET_ENVIRONMENT", "AZURE_FUNCTIONS_ENVIRONMENT",
    };

    /// <summary>Configuration keys as environment variable names (':' becomes '__').</summary>
    public static IReadOnlyList<string> KeysTheAppReads() => KeysReadBy(Assembly.Load("DbxSync.Functions"));

    public static IReadOnlyList<string> KeysReadBy(Assembly assembly)
    {
        var holders = assembly.GetTypes()
            .Where(t => t.IsVisible && t.IsAbstract && t.IsSealed && t.Name.EndsWith("SettingNames", StringComparison.Ordinal))
            .ToList();
        Assert.True(holders.Count > 0,
            $"{assembly.GetName().Name} has no public static class named *SettingNames (expected DbxSync.Functions.Hosting.SettingNames) listing the configuration keys it reads.");
        var keys = holders
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => ((string)f.GetRawConstantValue()!).Replace(":", "__", StringComparison.Ordinal))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderBy(k => k, StringComparer.Ordinal)
            .ToList();
        Assert.True(keys.Count > 0, $"{string.Join(", ", holders.Select(h => h.FullName))} declares no public const string keys.");
        return keys;
    }

    /// <summary>A key is defined by itself or, for identity-based connections, by its '__' sub-settings.</summary>
    private static bool IsDefined(string key, IEnumerable<string> settingNames) =>
        settingNames.Any(name =>
            string.Equals(name.Replace(":", "__", StringComparison.Ordinal), key, StringComparison.OrdinalIgnoreCase)
            || name.Replace(":", "__", StringComparison.Ordinal).StartsWith(key + "__", StringComparison.OrdinalIgnoreCase));

    [Fact]
    public void Every_key_the_app_reads_is_in_the_local_settings_sample()
    {
        var sample = AppLayout.SampleLocalSettings().Keys.ToList();
        var missing = KeysTheAppReads().Where(k => !PlatformProvidedKeys.Contains(k) && !IsDefined(k, sample)).ToList();
        Assert.True(missing.Count == 0, "local.settings.sample.json Values lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_key_the_app_reads_in_azure_is_an_app_setting_of_the_deployment()
    {
        var deployed = DeployedSettings.Of(DeploymentSnapshot.Main).Keys;
        var missing = KeysTheAppReads()
            .Where(k => !PlatformProvidedKeys.Contains(k) && !LocalOnlyKeys.Contains(k) && !IsDefined(k, deployed))
            .ToList();
        Assert.True(missing.Count == 0, "The deployed app settings (infra/modules/functionapp.bicep) lack: " + string.Join(", ", missing));
    }

    [Fact]
    public void Local_only_keys_are_read_by_the_app_and_not_configured_in_azure()
    {
        // A stale entry here would hide a real gap in the deployment.
        Assert.All(LocalOnlyKeys, key => Assert.Contains(key, KeysTheAppReads(), StringComparer.OrdinalIgnoreCase));
        var leaked = DeployedSettings.Of(DeploymentSnapshot.Main).Keys.Where(LocalOnlyKeys.Contains).ToList();
        Assert.True(leaked.Count == 0, "Local-only settings configured in Azure: " + string.Join(", ", leaked));
    }

    [Fact]
    public void Local_sample_runs_the_isolated_worker_on_azurite()
    {
        var sample = AppLayout.SampleLocalSettings();
        Assert.Equal("dotnet-isolated", sample["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("UseDevelopmentStorage=true", sample["AzureWebJobsStorage"]);
    }

    [Fact]
    public void Setting_names_are_found_by_reflection_and_written_as_environment_variables()
    {
        var keys = KeysReadBy(typeof(AppSettingsCoverageTests).Assembly);

        Assert.Equal(new[] { "DbxSync__Storage__AccountName", "SyncTimerSchedule" }, keys);
        Assert.True(IsDefined("AzureWebJobsStorage", ["AzureWebJobsStorage__blobServiceUri"]));
        Assert.False(IsDefined("DbxSync__Storage", ["DbxSync__StorageAccount"]));
    }
}

public static class ExampleSettingNames
{
    public const string StorageAccountName = "DbxSync:Storage:AccountName";
    public const string SyncTimerSchedule = "SyncTimerSchedule";
    public static readonly string NotAConstant = "ignored";
}
