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
    public static string SharedFixtures => Path.GetFullPath(Path.Combine(Root, "..", "shared", "fixtures"));
}
