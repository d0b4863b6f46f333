namespace DbxSync.Testing;

/// <summary>Locates the repository root (the folder holding DbxSync.sln) from the test output folder.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DbxSync.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("DbxSync.sln not found above " + AppContext.BaseDirectory);
    });

    public static string Root => RootLazy.Value;
    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
    /// <summary>tests/fixtures: shapes the shared fixtures lack, kept with the code that pins them.</summary>
    public static string LocalFixtures => Combine("tests", "fixtures");
    /// <summary>shared/fixtures beside the clone (CI) or further up (a git worktree inside the workspace).</summary>
    public static string SharedFixtures => SharedFixturesLazy.Value;

    private static readonly Lazy<string> SharedFixturesLazy = new(() =>
    {
        for (var dir = new DirectoryInfo(Root).Parent; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("shared/fixtures not found above " + Root);
    });
}
