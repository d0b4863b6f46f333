namespace DbxSync.Functions.Hosting;

/// <summary>
/// Every configuration key the app reads, in configuration form ("A:B"). App settings and environment variables
/// spell them with "__" instead of ":". The deployment and local.settings.sample.json are checked against this list.
/// </summary>
public static class SettingNames
{
    public const string StorageConnectionString = "DbxSync:Storage:ConnectionString";
    public const string StorageAccountName = "DbxSync:Storage:AccountName";
    public const string StorageBlobServiceUri = "DbxSync:Storage:BlobServiceUri";
    public const string StorageQueueServiceUri = "DbxSync:Storage:QueueServiceUri";
    public const string StorageTableServiceUri = "DbxSync:Storage:TableServiceUri";
    public const string KeyVaultUri = "DbxSync:KeyVault:Uri";
    public const string KeyVaultDevToken = "DbxSync:KeyVault:DevToken";
    public const string KeyVaultTrustedCertificatePath = "DbxSync:KeyVault:TrustedCertificatePath";
    public const string AllowedWorkspaceHosts = "DBXSYNC_ALLOWED_WORKSPACE_HOSTS";
    public const string ApiAuthMode = "DbxSync:Api:AuthMode";
    public const string ApiTokenSha256Hashes = "DbxSync:Api:TokenSha256Hashes";
    public const string ApiReadOnlyTokenSha256Hashes = "DbxSync:Api:ReadOnlyTokenSha256Hashes";
    public const string SchedulerTickSeconds = "DbxSync:Scheduler:TickSeconds";
    public const string SchedulerMaxParallelRuns = "DbxSync:Scheduler:MaxParallelRuns";

    /// <summary>Set by the Functions host; its presence selects custom-handler mode.</summary>
    public const string CustomHandlerPort = "FUNCTIONS_CUSTOMHANDLER_PORT";

    public static readonly IReadOnlyDictionary<string, string> Documented = new Dictionary<string, string>
    {
        [StorageConnectionString] = "Storage connection string (local: Azurite with explicit endpoints). Leave empty in Azure to use the managed identity.",
        [StorageAccountName] = "Storage account name, used with the managed identity.",
        [StorageBlobServiceUri] = "Blob endpoint override (sovereign clouds, Azurite).",
        [StorageQueueServiceUri] = "Queue endpoint override.",
        [StorageTableServiceUri] = "Table endpoint override.",
        [KeyVaultUri] = "Key Vault holding the principals' secrets.",
        [KeyVaultDevToken] = "Local Key Vault only: a static bearer token instead of a managed identity.",
        [KeyVaultTrustedCertificatePath] = "Local Key Vault only: a self-signed certificate to trust.",
        [AllowedWorkspaceHosts] = "Comma-separated non-Databricks workspace origins allowed for local use (e.g. the emulator).",
        [ApiAuthMode] = "tokens (default), host or easyauth.",
        [ApiTokenSha256Hashes] = "tokens mode: comma-separated SHA-256 hex hashes of the accepted bearer tokens.",
        [ApiReadOnlyTokenSha256Hashes] = "tokens mode: hashes of tokens allowed to read (GET) only.",
        [SchedulerTickSeconds] = "serve mode: seconds between timer ticks (default 30).",
        [SchedulerMaxParallelRuns] = "How many configs one tick runs at once (default 16).",
    };

    public static IEnumerable<string> All => Documented.Keys;

    /// <summary>The environment-variable / app-setting spelling of a key.</summary>
    public static string ToAppSetting(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}
