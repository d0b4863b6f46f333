using System.Text.Json;
using DbxSync.Testing;

namespace DbxSync.Deployment.Tests.Support;

/// <summary>The app definition files at the repository root (host.json, local.settings.sample.json) and infra/.</summary>
public static class AppLayout
{
    public static string InfraDirectory => RepoPaths.Combine("infra");

    public static JsonElement ReadJson(string path)
    {
        Assert.True(File.Exists(path), $"Missing {path}.");
        using var document = JsonDocument.Parse(File.ReadAllText(path),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return document.RootElement.Clone();
    }

    public static string? GetString(this JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>The Values of local.settings.sample.json.</summary>
    public static IReadOnlyDictionary<string, string?> SampleLocalSettings()
    {
        var sample = ReadJson(RepoPaths.Combine("local.settings.sample.json"));
        Assert.True(sample.TryGetProperty("Values", out var values) && values.ValueKind == JsonValueKind.Object,
            "local.settings.sample.json has no \"Values\" object.");
        return values.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.ToString(),
            StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>infra/**/*.bicep and *.bicepparam, relative to infra/.</summary>
    public static IEnumerable<string> BicepFiles() =>
        Directory.GetFiles(InfraDirectory, "*.bicep*", SearchOption.AllDirectories)
            .Where(p => p.EndsWith(".bicep", StringComparison.Ordinal) || p.EndsWith(".bicepparam", StringComparison.Ordinal))
            .Select(p => Path.GetRelativePath(InfraDirectory, p).Replace('\\', '/'))
            .OrderBy(p => p, StringComparer.Ordinal);
}
