using System.Text.Json;

namespace DbxSync.Deployment.Tests.Support;

/// <summary>The function app's siteConfig.appSettings in a deployment snapshot, name to value (an ARM expression where Azure computes it).</summary>
public static class DeployedSettings
{
    public const string SiteType = "Microsoft.Web/sites";

    public static IReadOnlyDictionary<string, string> Of(DeploymentSnapshot snapshot)
    {
        var settings = snapshot.Single(SiteType).At("properties.siteConfig.appSettings").EnumerateArray().ToList();
        var names = settings.Select(s => s.StringAt("name")!).ToList();
        var duplicates = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, "App settings set twice: " + string.Join(", ", duplicates));
        return settings.ToDictionary(s => s.StringAt("name")!, s => s.At("value") is { ValueKind: JsonValueKind.String } v ? v.GetString()! : s.At("value").ToString(),
            StringComparer.OrdinalIgnoreCase);
    }
}
