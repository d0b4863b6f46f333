using DbxSync.Core.Ports;
using static DbxSync.Databricks.Adapters.WorkspaceExceptionTranslator;

namespace DbxSync.Databricks.Adapters;

/// <summary>IDatabricksWorkspace over DatabricksWorkspaceClient: same behaviour, errors as WorkspaceException.</summary>
public sealed class DatabricksWorkspace(DatabricksWorkspaceClient client) : IDatabricksWorkspace
{
    public DatabricksWorkspaceClient Client { get; } = client;

    public Task VerifyCredentialsAsync(CancellationToken cancellationToken = default) =>
        Run(() => Client.VerifyCredentialsAsync(cancellationToken));

    public Task<CurrentUser> GetCurrentUserAsync(CancellationToken cancellationToken = default) =>
        Run(() => Client.CurrentUser.GetAsync(cancellationToken));

    public Task<IStatementResult> ExecuteAsync(string statement, IReadOnlyList<SqlParameter>? parameters = null, StatementOptions? options = null, CancellationToken cancellationToken = default) =>
        Run<IStatementResult>(async () => new TranslatingStatementResult(await Client.Statements.ExecuteAsync(statement, parameters, options, cancellationToken).ConfigureAwait(false)));

    public Task UploadFileAsync(string path, Stream content, bool overwrite = true, CancellationToken cancellationToken = default) =>
        Run(() => Client.Files.UploadAsync(path, content, overwrite, cancellationToken));

    public Task<Stream> DownloadFileAsync(string path, CancellationToken cancellationToken = default) =>
        Run(() => Client.Files.DownloadAsync(path, cancellationToken));

    public Task<FileMetadata?> GetFileMetadataAsync(string path, CancellationToken cancellationToken = default) =>
        Run(() => Client.Files.GetMetadataAsync(path, cancellationToken));

    public Task<bool> DeleteFileAsync(string path, CancellationToken cancellationToken = default) =>
        Run(() => Client.Files.DeleteAsync(path, cancellationToken));

    public Task CreateDirectoryAsync(string path, CancellationToken cancellationToken = default) =>
        Run(() => Client.Files.CreateDirectoryAsync(path, cancellationToken));

    public IAsyncEnumerable<VolumeEntry> ListDirectoryRecursiveAsync(string path, CancellationToken cancellationToken = default) =>
        Run(Client.Files.ListRecursiveAsync(path, cancellationToken), cancellationToken);

    public IAsyncEnumerable<CatalogSummary> ListCatalogsAsync(CancellationToken cancellationToken = default) =>
        Run(Client.UnityCatalog.ListCatalogsAsync(cancellationToken), cancellationToken);

    public IAsyncEnumerable<SchemaSummary> ListSchemasAsync(string catalog, CancellationToken cancellationToken = default) =>
        Run(Client.UnityCatalog.ListSchemasAsync(catalog, cancellationToken), cancellationToken);

    public IAsyncEnumerable<TableSummary> ListTablesAsync(string catalog, string schema, CancellationToken cancellationToken = default) =>
        Run(Client.UnityCatalog.ListTablesAsync(catalog, schema, cancellationToken), cancellationToken);

    public IAsyncEnumerable<VolumeSummary> ListVolumesAsync(string catalog, string schema, CancellationToken cancellationToken = default) =>
        Run(Client.UnityCatalog.ListVolumesAsync(catalog, schema, cancellationToken), cancellationToken);

    public Task<TableSummary?> GetTableAsync(string fullName, CancellationToken cancellationToken = default) =>
        Run(() => Client.UnityCatalog.GetTableAsync(fullName, cancellationToken));

    public Task<VolumeSummary?> GetVolumeAsync(string fullName, CancellationToken cancellationToken = default) =>
        Run(() => Client.UnityCatalog.GetVolumeAsync(fullName, cancellationToken));

    public IAsyncEnumerable<WarehouseSummary> ListWarehousesAsync(CancellationToken cancellationToken = default) =>
        Run(Client.Warehouses.ListAsync(cancellationToken), cancellationToken);

    private sealed class TranslatingStatementResult(IStatementResult inner) : IStatementResult
    {
        public string StatementId => inner.StatementId;
        public IReadOnlyList<SqlColumn> Columns => inner.Columns;
        public long? TotalRowCount => inner.TotalRowCount;
        public IAsyncEnumerable<string?[]> ReadRowsAsync(CancellationToken cancellationToken = default) =>
            Run(inner.ReadRowsAsync(cancellationToken), cancellationToken);
    }
}
