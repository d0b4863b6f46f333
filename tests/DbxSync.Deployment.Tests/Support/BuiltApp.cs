using System.Reflection;
using System.Text.Json;
using DbxSync.Testing;

namespace DbxSync.Deployment.Tests.Support;

/// <summary>The build output of src/DbxSync.Functions (same configuration as these tests): what the Worker SDK generated.</summary>
public static class BuiltApp
{
    public static string Directory
    {
        get
        {
            var configuration = typeof(BuiltApp).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var directory = RepoPaths.Combine("src", "DbxSync.Functions", "bin", configuration, "net10.0");
            Assert.True(File.Exists(Path.Combine(directory, "functions.metadata")),
                $"{directory} has no functions.metadata; build src/DbxSync.Functions ({configuration}) first.");
            return directory;
        }
    }

    /// <summary>functions.metadata: function name to its bindings.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> Functions()
    {
        var metadata = AppLayout.ReadJson(Path.Combine(Directory, "functions.metadata"));
        return metadata.EnumerateArray().ToDictionary(
            f => f.GetString("name")!,
            f => (IReadOnlyList<JsonElement>)f.GetProperty("bindings").EnumerateArray().ToList());
    }

    public static JsonElement Trigger(IReadOnlyList<JsonElement> bindings) =>
        Assert.Single(bindings, b => b.GetString("type")?.EndsWith("Trigger", StringComparison.Ordinal) == true);
}
