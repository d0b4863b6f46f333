namespace DbxSync.Functions.Hosting;

// Bound from configuration; the adapters wired at merge consume Storage and KeyVault.

public sealed class StorageSettings
{
    public const string Section = "DbxSync:Storage";
    public string? ConnectionString { get; set; }
    public string? AccountName { get; set; }
    public Uri? BlobServiceUri { get; set; }
    public Uri? QueueServiceUri { get; set; }
    public Uri? TableServiceUri { get; set; }
}

public sealed class KeyVaultSettings
{
    public const string Section = "DbxSync:KeyVault";
    public Uri? Uri { get; set; }
    public string? DevToken { get; set; }
    public string? TrustedCertificatePath { get; set; }
}

public sealed class WorkspaceSettings
{
    /// <summary>Origins (scheme://host[:port]) accepted besides real Databricks hosts; from DBXSYNC_ALLOWED_WORKSPACE_HOSTS.</summary>
    public IReadOnlyList<string> AllowedWorkspaceHosts { get; set; } = [];

    public static WorkspaceSettings From(IConfiguration configuration) => new()
    {
        AllowedWorkspaceHosts = (configuration[SettingNames.AllowedWorkspaceHosts] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
    };
}
