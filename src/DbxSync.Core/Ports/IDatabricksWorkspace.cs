namespace DbxSync.Core.Ports;

/// <summary>
/// How to reach and authenticate to one workspace. Secret is the OAuth or Entra client secret or the PAT; empty for a
/// managed identity. ClientId is the OAuth/Entra application id, or a user-assigned managed identity's client id.
/// </summary>
public sealed record WorkspaceCredentials(
    string WorkspaceUrl,
    WorkspaceAuthType AuthType,
    string? ClientId,
    string Secret,
    /// <summary>Key for the token cache (the principal id); one token per principal.</summary>
    string CacheKey)
{
    /// <summary>Entra tenant of an entra_client_secret principal; null: discovered from the workspace ({workspace}/aad/auth).</summary>
    public string? TenantId { get; init; }

    /// <summary>Azure resource id of the workspace: Entra requests then also carry the ARM management token.</summary>
    public string? AzureWorkspaceResourceId { get; init; }

    // Never print the secret.
    public override string ToString() => $"{AuthType} {ClientId} @ {WorkspaceUrl}";
}

/// <summary>How a principal signs in. Stored by name, so OAuthM2M (databricks_oauth) stays what existing records hold.</summary>
public enum WorkspaceAuthType { OAuthM2M, PersonalAccessToken, EntraClientSecret, ManagedIdentity }

/// <summary>Who the workspace says the caller is (SCIM Me): a user's name, or a service principal's application id.</summary>
public sealed record CurrentUser(string UserName, IReadOnlyList<string> Entitlements);

/// <summary>Opens workspace sessions. Validates the URL before anything is sent.</summary>
public interface IDatabricksConnector
{
    /// <summary>Throws WorkspaceException(InvalidWorkspaceUrl) for an unacceptable URL. Sends nothing.</summary>
    Uri ValidateWorkspaceUrl(string workspaceUrl);
    IDatabricksWorkspace Connect(WorkspaceCredentials credentials);
    /// <summary>
    /// Drops what is cached for <paramref name="cacheKey"/> (the token provider, its token and the secret it holds).
    /// For credentials that were only proven, a principal that is gone, or a secret that was replaced.
    /// </summary>
    void Release(string cacheKey);
}

/// <summary>A named statement parameter (:name). Value null is SQL NULL. Type is Databricks SQL type text (STRING default).</summary>
public sealed record SqlParameter(string Name, string? Value, string Type = "STRING");

public sealed record SqlColumn(string Name, string TypeText, string TypeName, int Position);

public sealed record StatementOptions
{
    public string? WarehouseId { get; init; }
    /// <summary>Use EXTERNAL_LINKS (large results). INLINE otherwise.</summary>
    public bool LargeResult { get; init; }
    /// <summary>A write (MERGE/INSERT/UPDATE/DELETE): never re-submitted blindly after an ambiguous failure.</summary>
    public bool IsWrite { get; init; }
    public IProgress<long>? RowProgress { get; init; }
}

/// <summary>A finished statement. Rows are read lazily, chunk by chunk; cells are Databricks JSON_ARRAY strings (null = SQL NULL).</summary>
public interface IStatementResult
{
    string StatementId { get; }
    IReadOnlyList<SqlColumn> Columns { get; }
    long? TotalRowCount { get; }
    IAsyncEnumerable<string?[]> ReadRowsAsync(CancellationToken cancellationToken = default);
}

public sealed record VolumeEntry(string Path, string Name, bool IsDirectory, long? Size, DateTimeOffset? LastModified);

public sealed record FileMetadata(string Path, long Length, DateTimeOffset? LastModified, string? ContentType);

public sealed record CatalogSummary(string Name, string? Comment);
public sealed record SchemaSummary(string CatalogName, string Name, string FullName, string? Comment);
public sealed record VolumeSummary(string CatalogName, string SchemaName, string Name, string FullName, string? VolumeType);
public sealed record TableColumn(string Name, string TypeText, string TypeName, int Position, bool Nullable);
public sealed record TableSummary(
    string CatalogName, string SchemaName, string Name, string FullName, string? TableType, string? DataSourceFormat,
    IReadOnlyList<TableColumn> Columns, IReadOnlyDictionary<string, string> Properties);
public sealed record WarehouseSummary(string Id, string Name, string? State);

/// <summary>
/// One authenticated workspace. Errors are WorkspaceException. Tokens are cached per credentials.CacheKey
/// and refreshed before expiry; 429/503 are retried inside.
/// </summary>
public interface IDatabricksWorkspace
{
    /// <summary>Obtains a token (proving the credentials). InvalidCredentials or Unreachable on failure.</summary>
    Task VerifyCredentialsAsync(CancellationToken cancellationToken = default);

    /// <summary>The caller as the workspace knows it (GET /api/2.0/preview/scim/v2/Me).</summary>
    Task<CurrentUser> GetCurrentUserAsync(CancellationToken cancellationToken = default);

    Task<IStatementResult> ExecuteAsync(string statement, IReadOnlyList<SqlParameter>? parameters = null, StatementOptions? options = null, CancellationToken cancellationToken = default);

    // Files API (absolute /Volumes/... paths)
    Task UploadFileAsync(string path, Stream content, bool overwrite = true, CancellationToken cancellationToken = default);
    Task<Stream> DownloadFileAsync(string path, CancellationToken cancellationToken = default);
    /// <summary>Null when absent.</summary>
    Task<FileMetadata?> GetFileMetadataAsync(string path, CancellationToken cancellationToken = default);
    /// <summary>Returns false when absent.</summary>
    Task<bool> DeleteFileAsync(string path, CancellationToken cancellationToken = default);
    Task CreateDirectoryAsync(string path, CancellationToken cancellationToken = default);
    /// <summary>Every file and directory below path, depth first.</summary>
    IAsyncEnumerable<VolumeEntry> ListDirectoryRecursiveAsync(string path, CancellationToken cancellationToken = default);

    // Unity Catalog
    IAsyncEnumerable<CatalogSummary> ListCatalogsAsync(CancellationToken cancellationToken = default);
    IAsyncEnumerable<SchemaSummary> ListSchemasAsync(string catalog, CancellationToken cancellationToken = default);
    IAsyncEnumerable<TableSummary> ListTablesAsync(string catalog, string schema, CancellationToken cancellationToken = default);
    IAsyncEnumerable<VolumeSummary> ListVolumesAsync(string catalog, string schema, CancellationToken cancellationToken = default);
    /// <summary>Null when the table does not exist.</summary>
    Task<TableSummary?> GetTableAsync(string fullName, CancellationToken cancellationToken = default);
    Task<VolumeSummary?> GetVolumeAsync(string fullName, CancellationToken cancellationToken = default);
    IAsyncEnumerable<WarehouseSummary> ListWarehousesAsync(CancellationToken cancellationToken = default);
}
