using System.Reflection;
using DbxSync.Deployment.Tests.Support;

namespace DbxSync.Deployment.Tests;

/// <summary>
/// Every configuration key the app reads is defined for local runs (local.settings.sample.json) and in Azure
/// (functionapp.bicep), so a new setting cannot ship without a value.
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
    };

    /// <summary>Set by the Functions host or App Service at run time, never by configuration.</summary>
    private static readonly HashSet<string> PlatformProvidedKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "FUNCTIONS_CUSTOMHANDLER_PORT", "FUNCTIONS_CUSTOMHANDLER_WORKER_ID", "FUNCTIONS_HTTPWORKER_PORT",
        "FUNCTIONS_HTTPWORKER_ID", "FUNCTIONS_APP_ROOT_PATH", "WEBSITE_HOSTNAME", "WEBSITE_SITE_NAME",
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
    public void Every_key_the_app_reads_in_azure_is_an_app_setting_in_bicep()
    {
        var bicep = FunctionAppSettings.Load().FlexSettingNames;
        var missing = KeysTheAppReads()
            .Where(k => !PlatformProvidedKeys.Contains(k) && !LocalOnlyKeys.Contains(k) && !IsDefined(k, bicep))
            .ToList();
        Assert.True(missing.Count == 0, "functionapp.bicep appSettings lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public void Local_only_keys_are_not_configured_in_azure()
    {
        var bicep = FunctionAppSettings.Load();
        var leaked = bicep.FlexSettingNames.Concat(bicep.ClassicOnlySettingNames)
            .Where(name => LocalOnlyKeys.Contains(name.Replace(":", "__", StringComparison.Ordinal)))
            .ToList();
        Assert.True(leaked.Count == 0, "Local-only settings configured in Azure: " + string.Join(", ", leaked));
    }

    [Fact]
    public void Host_storage_is_identity_based()
    {
        var settings = FunctionAppSettings.Load().FlexSettingNames;
        Assert.Contains("AzureWebJobsStorage__accountName", settings);
        Assert.Contains("AzureWebJobsStorage__credential", settings);
        // A plain connection string would need account keys, which the storage account disables.
        Assert.DoesNotContain("AzureWebJobsStorage", settings);
        Assert.Contains("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", settings);
    }

    [Fact]
    public void Api_auth_mode_in_azure_is_host_or_easyauth()
    {
        var main = AppLayout.Bicep("main.bicep");
        var functionApp = AppLayout.Bicep("modules/functionapp.bicep");
        foreach (var file in new[] { main, functionApp })
        {
            var allowed = AllowedValues(file, "apiAuthMode");
            Assert.Equal(new[] { "easyauth", "host" }, allowed.Order(StringComparer.Ordinal));
        }
    }

    private static List<string> AllowedValues(BicepFile file, string param)
    {
        var tokens = file.Tokens;
        var declaration = Enumerable.Range(0, tokens.Count - 1).Single(i => tokens[i].Is("param") && tokens[i + 1].Is(param));
        var allowed = Enumerable.Range(0, declaration).Reverse()
            .TakeWhile(i => !(tokens[i].Kind == BicepTokenKind.NewLine && i > 0 && tokens[i - 1].Kind == BicepTokenKind.NewLine))
            .FirstOrDefault(i => tokens[i].Is("allowed") && tokens[i - 1].Is("@"), -1);
        Assert.True(allowed > 0, $"{file.Path}: param {param} has no @allowed decorator.");
        return tokens.Skip(allowed).TakeWhile(t => !t.Is(")")).Where(t => t.Kind == BicepTokenKind.String).Select(t => t.Text).ToList();
    }

    [Fact]
    public void Setting_names_are_found_by_reflection_and_written_as_environment_variables()
    {
        var keys = KeysReadBy(typeof(AppSettingsCoverageTests).Assembly);

        Assert.Equal(new[] { "DbxSync__Storage__AccountName", "SyncTimerSchedule" }, keys);
        Assert.True(IsDefined("AzureWebJobsStorage", ["AzureWebJobsStorage__accountName"]));
        Assert.False(IsDefined("DbxSync__Storage", ["DbxSync__StorageAccount"]));
    }
}

public static class ExampleSettingNames
{
    public const string StorageAccountName = "DbxSync:Storage:AccountName";
    public const string SyncTimerSchedule = "SyncTimerSchedule";
    public static readonly string NotAConstant = "ignored";
}
