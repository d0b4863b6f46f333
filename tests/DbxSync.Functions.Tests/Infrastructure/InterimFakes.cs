using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.Syncs;

namespace DbxSync.Functions.Tests.Infrastructure;

// Interim stand-ins until the real adapters (Azurite, local Key Vault, Databricks emulator) are wired at merge;
// this file is deleted then. They behave like the real services, so tests must not depend on anything else here.

public sealed class InMemoryStateStore(bool unreachable = false) : IStateStore
{
    private readonly ConcurrentDictionary<(string Table, string Pk, string Rk), StateEntity> _rows = new();
    private long _version;

    private void Reachable()
    {
        if (unreachable) throw new StorageException("connection refused", 503, "ConnectionRefused");
    }

    public Task EnsureTableAsync(string table, CancellationToken cancellationToken = default) { Reachable(); return Task.CompletedTask; }

    public Task<StateEntity?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        Reachable();
        return Task.FromResult(_rows.TryGetValue((table, partitionKey, rowKey), out var e) ? Copy(e) : null);
    }

    public Task<StateEntity> InsertAsync(string table, StateEntity entity, CancellationToken cancellationToken = default)
    {
        Reachable();
        var stored = Stamp(entity);
        if (!_rows.TryAdd((table, entity.PartitionKey, entity.RowKey), stored)) throw new ConflictException("The entity already exists.");
        return Task.FromResult(Copy(stored));
    }

    public Task<StateEntity> UpsertAsync(string table, StateEntity entity, CancellationToken cancellationToken = default)
    {
        Reachable();
        var key = (table, entity.PartitionKey, entity.RowKey);
        lock (_rows)
        {
            if (entity.ETag is { } etag && (!_rows.TryGetValue(key, out var current) || current.ETag != etag))
                throw new ConcurrencyException("The entity changed.");
            var stored = Stamp(entity);
            _rows[key] = stored;
            return Task.FromResult(Copy(stored));
        }
    }

    public Task DeleteAsync(string table, string partitionKey, string rowKey, string? etag = null, CancellationToken cancellationToken = default)
    {
        Reachable();
        lock (_rows)
        {
            if (!_rows.TryGetValue((table, partitionKey, rowKey), out var current)) throw new NotFoundException("No such entity.");
            if (etag is not null && etag != "*" && current.ETag != etag) throw new ConcurrencyException("The entity changed.");
            _rows.TryRemove((table, partitionKey, rowKey), out _);
        }
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<StateEntity> QueryAsync(string table, string? partitionKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Reachable();
        await Task.Yield();
        foreach (var e in Ordered(table, partitionKey)) yield return Copy(e);
    }

    public Task<StatePage> QueryPageAsync(string table, string? partitionKey, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        Reachable();
        var all = Ordered(table, partitionKey).ToList();
        var start = continuationToken is null ? 0 : all.FindIndex(e => string.CompareOrdinal(e.PartitionKey + "\n" + e.RowKey, continuationToken) >= 0);
        if (start < 0) start = all.Count;
        var page = all.Skip(start).Take(pageSize).Select(Copy).ToList();
        var next = start + pageSize < all.Count ? all[start + pageSize].PartitionKey + "\n" + all[start + pageSize].RowKey : null;
        return Task.FromResult(new StatePage(page, next));
    }

    public Task<HealthResult> CheckHealthAsync(CancellationToken cancellationToken = default)
        => Task.FromResult(unreachable ? HealthResult.Down("table endpoint refused the connection") : HealthResult.Up());

    private IEnumerable<StateEntity> Ordered(string table, string? pk)
        => _rows.Where(kv => kv.Key.Table == table && (pk is null || kv.Key.Pk == pk)).Select(kv => kv.Value)
            .OrderBy(e => e.PartitionKey, StringComparer.Ordinal).ThenBy(e => e.RowKey, StringComparer.Ordinal);

    private StateEntity Stamp(StateEntity e) => new()
    {
        PartitionKey = e.PartitionKey, RowKey = e.RowKey,
        ETag = "W/\"datetime'" + Interlocked.Increment(ref _version) + "'\"",
        Properties = new Dictionary<string, object?>(e.Properties, StringComparer.Ordinal),
    };

    private static StateEntity Copy(StateEntity e) => new()
    {
        PartitionKey = e.PartitionKey, RowKey = e.RowKey, ETag = e.ETag,
        Properties = new Dictionary<string, object?>(e.Properties, StringComparer.Ordinal),
    };
}

public sealed class InMemorySecretStore(bool unreachable = false) : ISecretStore
{
    private readonly ConcurrentDictionary<string, string> _secrets = new();

    public Task SetSecretAsync(string name, string value, CancellationToken cancellationToken = default) { _secrets[name] = value; return Task.CompletedTask; }
    public Task<string?> GetSecretAsync(string name, CancellationToken cancellationToken = default) => Task.FromResult(_secrets.TryGetValue(name, out var v) ? v : null);
    public Task DeleteSecretAsync(string name, CancellationToken cancellationToken = default) { _secrets.TryRemove(name, out _); return Task.CompletedTask; }
    public Task<HealthResult> CheckHealthAsync(CancellationToken cancellationToken = default)
        => Task.FromResult(unreachable ? HealthResult.Down("vault endpoint refused the connection") : HealthResult.Up());
}

public sealed class InMemorySyncLock : ISyncLock
{
    private readonly ConcurrentDictionary<string, byte> _held = new();

    public Task<ISyncLease?> TryAcquireAsync(string lockName, CancellationToken cancellationToken = default)
        => Task.FromResult<ISyncLease?>(_held.TryAdd(lockName, 0) ? new Lease(() => _held.TryRemove(lockName, out _)) : null);

    private sealed class Lease(Action release) : ISyncLease
    {
        public CancellationToken LeaseLost => CancellationToken.None;
        public ValueTask DisposeAsync() { release(); return ValueTask.CompletedTask; }
    }
}

/// <summary>Workspace rules as the real connector applies them; one workspace with main.default.items and main.default.files.</summary>
public sealed class FakeDatabricksConnector(IReadOnlyList<string> allowedOrigins, string clientId, string clientSecret, string token, string unreachableUrl) : IDatabricksConnector
{
    private static readonly string[] DatabricksSuffixes = [".azuredatabricks.net", ".cloud.databricks.com", ".gcp.databricks.com"];

    public Uri ValidateWorkspaceUrl(string workspaceUrl)
    {
        if (!Uri.TryCreate(workspaceUrl, UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            throw new WorkspaceException(WorkspaceErrorKind.InvalidWorkspaceUrl, $"'{workspaceUrl}' is not a workspace URL.");
        var origin = uri.GetLeftPart(UriPartial.Authority);
        if (allowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase)) return new Uri(origin);
        if (uri.Scheme != Uri.UriSchemeHttps || uri.HostNameType != UriHostNameType.Dns || !uri.IsDefaultPort
            || !DatabricksSuffixes.Any(s => uri.Host.EndsWith(s, StringComparison.OrdinalIgnoreCase)))
            throw new WorkspaceException(WorkspaceErrorKind.InvalidWorkspaceUrl, $"'{workspaceUrl}' is not an https Databricks workspace host.");
        return new Uri(origin);
    }

    public IDatabricksWorkspace Connect(WorkspaceCredentials credentials)
    {
        ValidateWorkspaceUrl(credentials.WorkspaceUrl);
        return new FakeWorkspace(credentials, credentials.WorkspaceUrl.TrimEnd('/') == unreachableUrl.TrimEnd('/'),
            credentials.AuthType == WorkspaceAuthType.OAuthM2M ? credentials.ClientId == clientId && credentials.Secret == clientSecret : credentials.Secret == token);
    }

    private sealed class FakeWorkspace(WorkspaceCredentials credentials, bool unreachable, bool valid) : IDatabricksWorkspace
    {
        private static readonly TableSummary Items = new("main", "default", "items", "main.default.items", "MANAGED", "DELTA",
            [new("id", "bigint", "LONG", 0, false), new("text", "string", "STRING", 1, true), new("label", "string", "STRING", 2, true)],
            new Dictionary<string, string>());
        private static readonly VolumeSummary Files = new("main", "default", "files", "main.default.files", "MANAGED");

        private void Check()
        {
            if (unreachable) throw new WorkspaceException(WorkspaceErrorKind.Unreachable, $"Could not connect to {credentials.WorkspaceUrl}.");
            if (!valid) throw new WorkspaceException(WorkspaceErrorKind.InvalidCredentials, "invalid_client: the credentials were refused.", 401, "invalid_client");
        }

        public Task VerifyCredentialsAsync(CancellationToken cancellationToken = default) { Check(); return Task.CompletedTask; }

        public async IAsyncEnumerable<CatalogSummary> ListCatalogsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Check(); await Task.Yield();
            yield return new CatalogSummary("main", "Main catalog");
        }

        public async IAsyncEnumerable<SchemaSummary> ListSchemasAsync(string catalog, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Check(); await Task.Yield();
            if (catalog != "main") throw new WorkspaceException(WorkspaceErrorKind.NotFound, $"Catalog '{catalog}' does not exist.", 404, "CATALOG_DOES_NOT_EXIST");
            yield return new SchemaSummary("main", "default", "main.default", null);
        }

        public async IAsyncEnumerable<TableSummary> ListTablesAsync(string catalog, string schema, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Check(); await Task.Yield();
            if (catalog != "main" || schema != "default") throw new WorkspaceException(WorkspaceErrorKind.NotFound, $"Schema '{catalog}.{schema}' does not exist.", 404, "SCHEMA_DOES_NOT_EXIST");
            yield return Items;
        }

        public async IAsyncEnumerable<VolumeSummary> ListVolumesAsync(string catalog, string schema, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Check(); await Task.Yield();
            if (catalog != "main" || schema != "default") throw new WorkspaceException(WorkspaceErrorKind.NotFound, $"Schema '{catalog}.{schema}' does not exist.", 404, "SCHEMA_DOES_NOT_EXIST");
            yield return Files;
        }

        public Task<TableSummary?> GetTableAsync(string fullName, CancellationToken cancellationToken = default) { Check(); return Task.FromResult(fullName == Items.FullName ? Items : null); }
        public Task<VolumeSummary?> GetVolumeAsync(string fullName, CancellationToken cancellationToken = default) { Check(); return Task.FromResult(fullName == Files.FullName ? Files : null); }

        public Task<IStatementResult> ExecuteAsync(string statement, IReadOnlyList<SqlParameter>? parameters = null, StatementOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task UploadFileAsync(string path, Stream content, bool overwrite = true, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<Stream> DownloadFileAsync(string path, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<FileMetadata?> GetFileMetadataAsync(string path, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<bool> DeleteFileAsync(string path, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task CreateDirectoryAsync(string path, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public IAsyncEnumerable<VolumeEntry> ListDirectoryRecursiveAsync(string path, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public IAsyncEnumerable<WarehouseSummary> ListWarehousesAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}

/// <summary>Stands in for the lead's SyncRunner: takes the per-config lock, reports progress, records the run.</summary>
public sealed class FakeSyncRunner(SyncRunRepository runs, ISyncLock locks, TimeProvider time) : ISyncRunner
{
    public static string LockNameFor(string configId) => "sync-" + configId;

    public async Task<SyncRun> RunAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        var started = time.GetUtcNow();
        await using var lease = await locks.TryAcquireAsync(LockNameFor(request.ConfigId), cancellationToken);
        if (lease is null)
            return new SyncRun { ConfigId = request.ConfigId, RunId = "", Trigger = request.Trigger, StartedAt = started, FinishedAt = started, Outcome = RunOutcome.Skipped, Message = "Another run holds the lock." };
        for (var i = 1; i <= 3; i++)
        {
            request.Progress?.Report(new SyncProgress("export", i * 10, 30, "rows"));
            await Task.Delay(5, cancellationToken);
        }
        var run = new SyncRun
        {
            ConfigId = request.ConfigId, RunId = runs.NewRunId(), Trigger = request.Trigger, StartedAt = started,
            FinishedAt = time.GetUtcNow(), Outcome = RunOutcome.Succeeded, Rows = 30, Files = 1, Bytes = 1234,
            Subject = request.SubjectBlob, Message = "exported 30 rows",
        };
        await runs.SaveAsync(run, cancellationToken);
        return run;
    }
}
