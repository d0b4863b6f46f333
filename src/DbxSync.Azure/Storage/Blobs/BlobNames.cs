namespace DbxSync.Azure.Storage.Blobs;

/// <summary>Container and blob name rules and their URL encoding.</summary>
public static class BlobNames
{
    public static void ValidateContainerName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var valid = name.Length is >= 3 and <= 63
            && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
            && name[0] != '-' && name[^1] != '-' && !name.Contains("--", StringComparison.Ordinal);
        if (!valid && name != "$root" && name != "$logs")
            throw new ArgumentException($"Container name '{name}' must be 3-63 lowercase letters, digits or single hyphens, starting and ending with a letter or digit.", nameof(name));
    }

    public static void ValidateBlobName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > 1024)
            throw new ArgumentException("A blob name must be 1-1024 characters.", nameof(name));
    }

    /// <summary>Escapes each segment but keeps '/' so virtual folders stay folders.</summary>
    public static string EscapePath(string blobName) =>
        string.Join('/', blobName.Split('/').Select(Uri.EscapeDataString));
}
