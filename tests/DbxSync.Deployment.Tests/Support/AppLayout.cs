using System.Text.Json;
using DbxSync.Testing;

namespace DbxSync.Deployment.Tests.Support;

/// <summary>
/// The Functions app definition files at the repository root (host.json, functions/*/function.json,
/// local.settings.sample.json) and the infra folder.
/// </summary>
public static class AppLayout
{
    /// <summary>
    /// Lets a developer point the app-definition checks at a scratch copy while those files are still being
    /// written on another branch. Unset in CI: the checks then read the real repository root.
    /// </summary>
    public const string RootOverrideVariable = "DBXSYNC_APP_LAYOUT_ROOT";

    public const string ExecutableName = "DbxSync.Functions";

    public static string Root =>
        Environment.GetEnvironmentVariable(RootOverrideVariable) is { Length: > 0 } overridden ? overridden : RepoPaths.Root;

    public static string InfraDirectory => RepoPaths.Combine("infra");

    public static string Require(string relativePath)
    {
        var path = Path.Combine(Root, relativePath);
        Assert.True(File.Exists(path) || Directory.Exists(path),
            $"Missing {relativePath} at the repository root ({path}); the Functions app definition must provide it.");
        return path;
    }

    public static JsonElement ReadJson(string relativePath)
    {
        var path = Require(relativePath);
        using var document = JsonDocument.Parse(File.ReadAllText(path),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return document.RootElement.Clone();
    }

    /// <summary>Function folder name to its parsed function.json.</summary>
    public static IReadOnlyDictionary<string, JsonElement> Functions()
    {
        var functionsDirectory = Require("functions");
        var functions = Directory.GetDirectories(functionsDirectory)
            .Where(d => File.Exists(Path.Combine(d, "function.json")))
            .OrderBy(d => d, StringComparer.Ordinal)
            .ToDictionary(d => Path.GetFileName(d), d => ReadJson(Path.Combine("functions", Path.GetFileName(d), "function.json")));
        Assert.True(functions.Count > 0, $"No functions/<Name>/function.json under {functionsDirectory}.");
        return functions;
    }

    public static IEnumerable<JsonElement> Bindings(JsonElement function) =>
        function.TryGetProperty("bindings", out var bindings) ? bindings.EnumerateArray() : [];

    public static string? GetString(this JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>The Values of local.settings.sample.json.</summary>
    public static IReadOnlyDictionary<string, string?> SampleLocalSettings()
    {
        var sample = ReadJson("local.settings.sample.json");
        Assert.True(sample.TryGetProperty("Values", out var values) && values.ValueKind == JsonValueKind.Object,
            "local.settings.sample.json has no \"Values\" object.");
        return values.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.ToString(),
            StringComparer.OrdinalIgnoreCase);
    }

    public static BicepFile Bicep(string relativeToInfra) => BicepFile.Load(Path.Combine(InfraDirectory, relativeToInfra));

    public static IEnumerable<string> AllBicepPaths() =>
        Directory.GetFiles(InfraDirectory, "*.bicep", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal);
}
