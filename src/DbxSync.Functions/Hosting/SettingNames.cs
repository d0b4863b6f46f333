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
    public const string EntraAuthorityHost = "DbxSync:Entra:AuthorityHost";
    public const string EntraTrustedCertificatePath = "DbxSync:Entra:TrustedCertificatePath";
    public const string ApiAuthMode = "DbxSync:Api:AuthMode";
    public const string ApiTokenSha256Hashes = "DbxSync:Api:TokenSha256Hashes";
    public const string ApiReadOnlyTokenSha256Hashes = "DbxSync:Api:ReadOnlyTokenSha256Hashes";
    public const string ApiAllowedApplicationIds = "DbxSync:Api:AllowedApplicationIds";
    public const string ApiAllowedPrincipalIds = "DbxSync:Api:AllowedPrincipalIds";
    /// <summary>The storage account of the triggers (timer locks, sync-runs queue, blob triggers); the same account as DbxSync:Storage.</summary>
    public const string WebJobsStorage = "AzureWebJobsStorage";
    public const string SyncTimerSchedule = "SyncTimerSchedule";
    public const string RunTimeLimit = "DbxSync:Runs:TimeLimit";
    public const string ExportPartRows = "DbxSync:Export:PartRows";
    public const string ExportPartBytes = "DbxSync:Export:PartBytes";
    public const string ImportMaxRowsWithoutStaging = "DbxSync:Imports:MaxRowsWithoutStaging";

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
        [EntraAuthorityHost] = "Microsoft Entra authority for entra_client_secret principals (the deployment sets its cloud's login endpoint; locally the Entra stand-in).",
        [EntraTrustedCertificatePath] = "Local Entra stand-in only: its self-signed certificate to trust.",
        [ApiAuthMode] = "tokens (default) or easyauth. (host was removed: the functions are anonymous to the host, which checks no key.)",
        [ApiTokenSha256Hashes] = "tokens mode: comma-separated SHA-256 hex hashes of the accepted bearer tokens.",
        [ApiReadOnlyTokenSha256Hashes] = "tokens mode: hashes of tokens allowed to read (GET) only.",
        [ApiAllowedApplicationIds] = "easyauth mode: comma-separated client (application) ids allowed to call the API.",
        [ApiAllowedPrincipalIds] = "easyauth mode: comma-separated object ids of users or service principals allowed to call the API.",
        [WebJobsStorage] = "The triggers' storage (locally UseDevelopmentStorage=true; in Azure AzureWebJobsStorage__accountName with the managed identity).",
        [SyncTimerSchedule] = "SyncTimer's NCRONTAB schedule (six fields, seconds first), e.g. 0 */1 * * * *.",
        [RunTimeLimit] = "Longest run (hh:mm:ss). Empty: host.json's functionTimeout less a tenth (at least 1 min), at most 55 min. A run that reaches it after finishing parts ends partial and is continued at once.",
        [ExportPartRows] = "Rows per export part (default 1000000).",
        [ExportPartBytes] = "About this many CSV bytes per export part (default 268435456).",
        [ImportMaxRowsWithoutStaging] = "Most labeled rows a file may have for a table_reverse config without a staging volume (default 1000000); a bigger file waits in labeled/ and the config reports a configuration error until a staging volume is set.",
    };

    public static IEnumerable<string> All => Documented.Keys;

    /// <summary>The environment-variable / app-setting spelling of a key.</summary>
    public static string ToAppSetting(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}
