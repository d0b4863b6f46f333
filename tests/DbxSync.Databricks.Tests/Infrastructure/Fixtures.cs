using System.Text.Json.Nodes;
using DbxSync.Testing;

namespace DbxSync.Databricks.Tests.Infrastructure;

/// <summary>Reads the recorded Databricks responses under shared/fixtures/databricks.</summary>
public static class Fixtures
{
    public static string Root => RootLazy.Value;

    // RepoPaths expects shared/ beside the clone; a git worktree sits deeper, so look further up too.
    private static readonly Lazy<string> RootLazy = new(() =>
    {
        var preferred = Path.Combine(RepoPaths.SharedFixtures, "databricks");
        if (Directory.Exists(preferred)) return preferred;
        for (var dir = new DirectoryInfo(RepoPaths.Root); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures", "databricks");
            if (Directory.Exists(candidate)) return candidate;
        }
        return preferred;
    });

    /// <summary>A repository-local fixture under tests/fixtures/databricks (shapes the shared set lacks; see its README).</summary>
    public static string LocalNode(string relative, params string[] path)
    {
        JsonNode node = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.LocalFixtures, "databricks", relative)))!;
        foreach (var p in path) node = node[p]!;
        return node.ToJsonString();
    }

    public static JsonNode Load(string relative) => JsonNode.Parse(File.ReadAllText(Path.Combine(Root, relative)))!;

    /// <summary>The recorded response body (response.body) as JSON text.</summary>
    public static string ResponseBody(string relative) => Load(relative)["response"]!["body"]!.ToJsonString();

    public static int ResponseStatus(string relative) => (int)Load(relative)["response"]!["status"]!;

    public static string Node(string relative, params string[] path)
    {
        JsonNode node = Load(relative);
        foreach (var p in path) node = node[p]!;
        return node.ToJsonString();
    }
}
