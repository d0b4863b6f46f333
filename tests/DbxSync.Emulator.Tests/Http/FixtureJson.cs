using System.Text.Json;
using DbxSync.Testing;

namespace DbxSync.Emulator.Tests.Http;

/// <summary>Loads the recorded Databricks responses and compares response shapes against them.</summary>
public static class FixtureJson
{
    private static readonly Lazy<string> DatabricksRoot = new(() =>
    {
        // Worktrees sit one level deeper than the main checkout, so look upwards for the shared folder.
        var candidates = new List<string> { RepoPaths.SharedFixtures };
        for (var dir = new DirectoryInfo(RepoPaths.Root); dir is not null; dir = dir.Parent)
            candidates.Add(Path.Combine(dir.FullName, "shared", "fixtures"));
        var root = candidates.FirstOrDefault(candidate => Directory.Exists(Path.Combine(candidate, "databricks")))
                   ?? throw new DirectoryNotFoundException("shared/fixtures/databricks not found near " + RepoPaths.Root);
        return Path.Combine(root, "databricks");
    });

    public static JsonElement Load(string relativePath)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(DatabricksRoot.Value, relativePath)));
        return document.RootElement.Clone();
    }

    /// <summary>A repository-local fixture under tests/fixtures/databricks (see its README for sources).</summary>
    public static JsonElement LoadLocal(string relativePath)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.LocalFixtures, "databricks", relativePath)));
        return document.RootElement.Clone();
    }

    public static JsonElement At(this JsonElement element, params string[] path) =>
        path.Aggregate(element, (current, name) => current.GetProperty(name));

    /// <summary>
    /// Every field of <paramref name="expected"/> must exist in <paramref name="actual"/> with the same JSON kind
    /// (string vs number matters: cells are strings, gateway error codes numbers). With <paramref name="exact"/>
    /// the actual object may not carry extra fields either.
    /// </summary>
    public static void AssertShape(JsonElement expected, JsonElement actual, bool exact = false, string path = "$", params string[] ignore)
    {
        Assert.True(SameKind(expected.ValueKind, actual.ValueKind), $"{path}: expected {expected.ValueKind}, got {actual.ValueKind} ({actual})");
        if (expected.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in expected.EnumerateObject())
            {
                if (ignore.Contains(property.Name))
                    continue;
                Assert.True(actual.TryGetProperty(property.Name, out var actualValue), $"{path}: missing '{property.Name}' in {actual}");
                AssertShape(property.Value, actualValue, exact, $"{path}.{property.Name}", ignore);
            }
            if (exact)
                foreach (var property in actual.EnumerateObject())
                    Assert.True(expected.TryGetProperty(property.Name, out _) || ignore.Contains(property.Name), $"{path}: unexpected '{property.Name}'");
        }
        else if (expected.ValueKind == JsonValueKind.Array && expected.GetArrayLength() > 0 && actual.GetArrayLength() > 0)
        {
            AssertShape(expected[0], actual[0], exact, path + "[0]", ignore);
        }
    }

    private static bool SameKind(JsonValueKind expected, JsonValueKind actual) =>
        expected == actual
        || (expected is JsonValueKind.True or JsonValueKind.False && actual is JsonValueKind.True or JsonValueKind.False)
        || expected == JsonValueKind.Null || actual == JsonValueKind.Null && expected == JsonValueKind.String;
}
