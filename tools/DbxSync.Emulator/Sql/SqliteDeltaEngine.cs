using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace DbxSync.Emulator.Sql;

/// <summary>
/// The emulator's SQL engine: Unity Catalog objects and Delta-style tables in one SQLite database (WAL) under
/// <see cref="DataDirectory"/>, volumes as directories under DataDirectory/volumes.
/// Concurrency: writes are serialised by one lock on one long-lived connection, each statement one transaction;
/// queries run on their own pooled connections and see the last committed state, so they never wait for writers.
/// Query rows stream lazily from SQLite (see <see cref="QueryRowStream"/>).
/// </summary>
public sealed partial class SqliteDeltaEngine : ISqlEngine, IDisposable
{
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CatalogStore _catalog = new();
    private readonly SecurableStore _securables = new();
    private readonly bool _deleteOnDispose;
    private bool _disposed;

    public string DataDirectory { get; }

    public SqliteDeltaEngine(string dataDirectory) : this(dataDirectory, deleteOnDispose: false) { }

    private SqliteDeltaEngine(string dataDirectory, bool deleteOnDispose)
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        _deleteOnDispose = deleteOnDispose;
        Directory.CreateDirectory(DataDirectory);
        Directory.CreateDirectory(VolumesRoot);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(DataDirectory, "engine.db"),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 120,
        }.ToString();
        _writer = OpenConnection();
        Run(_writer, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
        Run(_writer, CatalogStore.Schema);
        Run(_writer, SecurableStore.Schema);
        _catalog.Load(_writer);
        _securables.Load(_writer);
    }

    /// <summary>An engine over a fresh temporary directory that is deleted on Dispose (tests).</summary>
    public static SqliteDeltaEngine CreateTemporary() =>
        new(Path.Combine(Path.GetTempPath(), "dbxsync-emulator-" + Guid.NewGuid().ToString("N")), deleteOnDispose: true);

    private string VolumesRoot => Path.Combine(DataDirectory, "volumes");

    private SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // Spark's LIKE is case-sensitive; SQLite's is not unless told.
        Run(connection, "PRAGMA case_sensitive_like = ON; PRAGMA cache_size = -65536; PRAGMA temp.cache_size = -131072; PRAGMA foreign_keys = OFF;");
        SqliteFunctions.Register(connection);
        return connection;
    }

    private static void Run(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    // ---------- ISqlEngine: catalog views ----------
    public IReadOnlyList<CatalogEntry> ListCatalogs() => _catalog.Catalogs;
    public IReadOnlyList<SchemaEntry> ListSchemas(string catalog) => _catalog.SchemasOf(catalog);
    public IReadOnlyList<TableEntry> ListTables(string catalog, string schema) => _catalog.TablesOf(catalog, schema).Select(t => t.ToEntry()).ToList();
    public TableEntry? GetTable(string catalog, string schema, string table) => _catalog.FindTable(catalog, schema, table)?.ToEntry();
    public IReadOnlyList<VolumeEntryInfo> ListVolumes(string catalog, string schema) => _catalog.VolumesOf(catalog, schema);
    public VolumeEntryInfo? GetVolume(string catalog, string schema, string volume) => _catalog.FindVolume(catalog, schema, volume);

    public string GetVolumeDirectory(string catalog, string schema, string volume)
    {
        var entry = _catalog.FindVolume(catalog, schema, volume) ?? throw EngineErrors.VolumeNotFound(catalog, schema, volume);
        return VolumeDirectory(entry.Catalog, entry.Schema, entry.Name);
    }

    private string VolumeDirectory(string catalog, string schema, string volume) =>
        Path.Combine(VolumesRoot, catalog.ToLowerInvariant(), schema.ToLowerInvariant(), volume.ToLowerInvariant());

    /// <summary>Maps '/Volumes/c/s/v/rest' (optionally 'dbfs:' prefixed) to the local file path.</summary>
    public string ResolveVolumePath(string path)
    {
        var trimmed = path.StartsWith("dbfs:", StringComparison.OrdinalIgnoreCase) ? path[5..] : path;
        var parts = trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 4 || !parts[0].Equals("Volumes", StringComparison.OrdinalIgnoreCase)) throw EngineErrors.PathNotFound(path);
        var volume = _catalog.FindVolume(parts[1], parts[2], parts[3]) ?? throw EngineErrors.PathNotFound(path);
        var root = VolumeDirectory(volume.Catalog, volume.Schema, volume.Name);
        var local = Path.GetFullPath(Path.Combine([root, .. parts[4..]]));
        if (!local.StartsWith(root, StringComparison.Ordinal)) throw EngineErrors.PathNotFound(path);
        return local;
    }

    // ---------- retention simulation ----------
    /// <summary>
    /// Simulates VACUUM plus log cleanup: versions before <paramref name="version"/> become unavailable to time travel
    /// and table_changes (DELTA_VERSION_NOT_FOUND), and row images only they could see are deleted.
    /// </summary>
    public void VacuumHistoryBefore(string tableName, long version)
    {
        _writeLock.Wait();
        try
        {
            var session = NewSession(_writer, [], new EngineContext("system"), CancellationToken.None);
            var queries = new QueryTranslator(session, session.Expressions);
            var table = queries.FindTable(queries.ResolveThreePartName(SqlParser.ParseNameString(tableName)));
            var earliest = Math.Clamp(version, table.EarliestVersion, table.CurrentVersion);
            using var transaction = _writer.BeginTransaction();
            session.Transaction = transaction;
            session.ExecuteNonQuery($"DELETE FROM {table.StorageTable} WHERE _to_v IS NOT NULL AND _to_v < {earliest}");
            session.ExecuteNonQuery($"UPDATE meta_tables SET earliest_version = {earliest} WHERE table_id = {table.Id}");
            transaction.Commit();
            _catalog.PutTable(table with { EarliestVersion = earliest });
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Simulates VACUUM without log cleanup (Delta "Remove unused data files with vacuum": VACUUM deletes data files no
    /// longer referenced by the current version and older than the retention threshold; Databricks "Change data feed":
    /// change data files follow the same retention and are removed by VACUUM). The log keeps every version, so
    /// DESCRIBE HISTORY still lists them, but time travel to a version before <paramref name="version"/> fails with
    /// FAILED_READ_FILE.FILE_NOT_EXIST and table_changes from such a version with DELTA_CHANGE_DATA_FILE_NOT_FOUND.
    /// Assumed: every version before the horizon referenced a removed file (real tables may still read some of them).
    /// </summary>
    public void VacuumFilesBefore(string tableName, long version)
    {
        _writeLock.Wait();
        try
        {
            var session = NewSession(_writer, [], new EngineContext("system"), CancellationToken.None);
            var queries = new QueryTranslator(session, session.Expressions);
            var table = queries.FindTable(queries.ResolveThreePartName(SqlParser.ParseNameString(tableName)));
            var horizon = Math.Clamp(version, table.EarliestVersion, table.CurrentVersion);
            session.ExecuteNonQuery($"INSERT INTO meta_vacuumed(table_id, files_before) VALUES ({table.Id}, {horizon}) ON CONFLICT(table_id) DO UPDATE SET files_before = excluded.files_before");
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public void VacuumHistoryBefore(string catalog, string schema, string table, long version) =>
        VacuumHistoryBefore(EngineErrors.QuoteParts(catalog, schema, table), version);

    // ---------- execution ----------
    private TranslationSession NewSession(SqliteConnection connection, IReadOnlyList<EngineParameter> parameters, EngineContext context, CancellationToken cancellationToken)
    {
        var session = new TranslationSession(connection, _catalog, context, parameters, ResolveVolumePath, cancellationToken);
        session.Expressions = new ExpressionTranslator(session);
        return session;
    }

    public EngineResult Execute(string sql, IReadOnlyList<EngineParameter> parameters, EngineContext context, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (cancellationToken.IsCancellationRequested) throw EngineErrors.Cancelled();
        var statement = SqlParser.Parse(sql);
        return statement switch
        {
            QueryStatement query => ExecuteQuery(query.Query, parameters, context, cancellationToken),
            DescribeHistoryStatement describe => ExecuteRead(parameters, context, cancellationToken, session =>
            {
                var queries = new QueryTranslator(session, session.Expressions);
                var table = queries.ResolveTable(describe.Table);
                long? limit = describe.Limit == null ? null : queries.EvaluateConstantLong(describe.Limit, "LIMIT");
                return new EngineResult { Columns = DeltaHistory.Columns, Rows = DeltaHistory.Describe(session.Connection, table, limit) };
            }),
            DescribeTableStatement describe => ExecuteRead(parameters, context, cancellationToken, session =>
                DescribeTable.Describe(new QueryTranslator(session, session.Expressions).ResolveTable(describe.Table))),
            DescribeDetailStatement detail => ExecuteRead(parameters, context, cancellationToken, session =>
            {
                var table = new QueryTranslator(session, session.Expressions).ResolveTable(detail.Table);
                return new EngineResult { Columns = DeltaDetail.Columns, Rows = DeltaDetail.Describe(session.Connection, table) };
            }),
            _ => ExecuteWrite(statement, parameters, context, cancellationToken),
        };
    }

    private EngineResult ExecuteQuery(QueryExpr query, IReadOnlyList<EngineParameter> parameters, EngineContext context, CancellationToken cancellationToken)
    {
        var connection = OpenConnection();
        TranslationSession? session = null;
        SqliteCommand? command = null;
        try
        {
            session = NewSession(connection, parameters, context, cancellationToken);
            var translated = new QueryTranslator(session, session.Expressions).TranslateQuery(query);
            command = session.CreateCommand(translated.Sql);
            SqliteDataReader reader;
            using (InterruptOnCancel(connection, cancellationToken)) reader = command.ExecuteReader();
            var types = translated.Columns.Select(c => c.Type).ToList();
            return new EngineResult
            {
                Columns = translated.Columns.Select(c => new EngineColumn(c.Name, c.Type.TypeText, c.Type.TypeName)).ToList(),
                Rows = new QueryRowStream(new QueryRowStream.OpenQuery(connection, command, reader, session), types,
                    () => ExecuteQuery(query, parameters, context, cancellationToken).Rows, MapError, cancellationToken),
            };
        }
        catch (Exception error)
        {
            command?.Dispose();
            try { session?.DropTemporaryTables(); } catch (SqliteException) { }
            connection.Dispose();
            throw MapError(error);
        }
    }

    private EngineResult ExecuteRead(IReadOnlyList<EngineParameter> parameters, EngineContext context, CancellationToken cancellationToken,
        Func<TranslationSession, EngineResult> read)
    {
        using var connection = OpenConnection();
        try
        {
            return read(NewSession(connection, parameters, context, cancellationToken));
        }
        catch (Exception error)
        {
            throw MapError(error);
        }
    }

    private EngineResult ExecuteWrite(SqlStatement statement, IReadOnlyList<EngineParameter> parameters, EngineContext context, CancellationToken cancellationToken) =>
        RunWrite(parameters, context, cancellationToken, (session, queries, writer, afterCommit) => statement switch
        {
            CreateCatalogStatement create => CreateCatalog(session, create, afterCommit),
            CreateSchemaStatement create => CreateSchema(session, queries, create, afterCommit),
            CreateVolumeStatement create => CreateVolume(session, queries, create, afterCommit),
            DropObjectStatement drop => DropObject(session, queries, writer, drop, afterCommit),
            AlterSecurableStatement alter => AlterSecurable(session, queries, afterCommit, alter),
            CreateTableStatement create => writer.CreateTable(create),
            DropTableStatement drop => DropTable(queries, writer, drop),
            SetTablePropertiesStatement set => writer.SetProperties(set),
            AddColumnsStatement add => writer.AddColumns(add),
            DropColumnsStatement drop => writer.DropColumns(drop),
            MoveColumnStatement move => writer.MoveColumn(move),
            InsertStatement insert => writer.Insert(insert),
            UpdateStatement update => writer.Update(update),
            DeleteStatement delete => writer.Delete(delete),
            OptimizeStatement optimize => writer.Optimize(optimize),
            MergeStatement merge => new MergeExecutor(session, queries, afterCommit).Execute(merge),
            _ => throw EngineErrors.Unsupported(statement.GetType().Name),
        });

    /// <summary>One write transaction under the write lock; metadata reaches the in-memory catalog only after commit.</summary>
    private T RunWrite<T>(IReadOnlyList<EngineParameter> parameters, EngineContext context, CancellationToken cancellationToken,
        Func<TranslationSession, QueryTranslator, DeltaTableWriter, List<Action>, T> write)
    {
        try
        {
            _writeLock.Wait(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw EngineErrors.Cancelled();
        }
        var session = NewSession(_writer, parameters, context, cancellationToken);
        var afterCommit = new List<Action>();
        try
        {
            using var interrupt = InterruptOnCancel(_writer, cancellationToken);
            using var transaction = _writer.BeginTransaction();
            session.Transaction = transaction;
            var queries = new QueryTranslator(session, session.Expressions);
            var writer = new DeltaTableWriter(session, queries, afterCommit);
            var result = write(session, queries, writer, afterCommit);
            if (cancellationToken.IsCancellationRequested) throw EngineErrors.Cancelled();
            session.DropTemporaryTables();
            transaction.Commit();
            session.Transaction = null;
            foreach (var publish in afterCommit) publish();
            return result;
        }
        catch (Exception error)
        {
            throw MapError(error);
        }
        finally
        {
            session.Transaction = null;
            try { session.DropTemporaryTables(); } catch (SqliteException) { }
            _writeLock.Release();
        }
    }

    private static IDisposable InterruptOnCancel(SqliteConnection connection, CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled
            ? cancellationToken.Register(() => SQLitePCL.raw.sqlite3_interrupt(connection.Handle))
            : new CancellationTokenRegistration();

    [GeneratedRegex(@"NOT NULL constraint failed: \w+\.t_(\d+)\.c(\d+)|NOT NULL constraint failed: t_(\d+)\.c(\d+)")]
    private static partial Regex NotNullFailure();

    private Exception MapError(Exception error)
    {
        if (error is EngineException) return error;
        var functionError = SqliteFunctions.TakeLastError();
        if (functionError != null) return functionError;
        if (error is SqliteException sqlite)
        {
            if (sqlite.SqliteErrorCode == 9) return EngineErrors.Cancelled();
            var notNull = NotNullFailure().Match(sqlite.Message);
            if (notNull.Success)
            {
                var tableId = long.Parse(notNull.Groups[1].Success ? notNull.Groups[1].Value : notNull.Groups[3].Value);
                var slot = int.Parse(notNull.Groups[2].Success ? notNull.Groups[2].Value : notNull.Groups[4].Value);
                var table = _catalog.Catalogs.SelectMany(c => _catalog.SchemasOf(c.Name)).SelectMany(s => _catalog.TablesOf(s.Catalog, s.Name)).FirstOrDefault(t => t.Id == tableId);
                var column = table is null ? -1 : table.Slots is { } slots ? slots.ToList().IndexOf(slot) : slot;
                return EngineErrors.NotNullViolated(column >= 0 && column < table!.Columns.Count ? table.Columns[column].Name : "c" + slot);
            }
            if (sqlite.Message.Contains("integer overflow", StringComparison.OrdinalIgnoreCase))
                return new EngineException("ARITHMETIC_OVERFLOW", "22003", "Overflow in integral arithmetic.");
            return new EngineException("INTERNAL_ERROR", "XX000", "Emulator SQL engine failure: " + sqlite.Message, "INTERNAL_ERROR");
        }
        if (error is OperationCanceledException) return EngineErrors.Cancelled();
        return new EngineException("INTERNAL_ERROR", "XX000", "Emulator SQL engine failure: " + error.Message, "INTERNAL_ERROR");
    }

    // ---------- Unity Catalog DDL ----------
    private static void RunMeta(TranslationSession session, string sql, params (string Name, object? Value)[] values)
    {
        using var command = session.CreateCommand(sql);
        foreach (var (name, value) in values) command.Parameters.AddWithValue(name, SqlValueConverter.ToDbValue(value));
        command.ExecuteNonQuery();
    }

    private EngineResult CreateCatalog(TranslationSession session, CreateCatalogStatement create, List<Action> afterCommit)
    {
        if (_catalog.FindCatalog(create.Name) != null)
            return create.IfNotExists ? EngineResult.Empty : throw EngineErrors.CatalogAlreadyExists(create.Name);
        var entry = new CatalogEntry(create.Name.ToLowerInvariant(), create.Comment, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        RunMeta(session, "INSERT INTO meta_catalogs(name, comment, created_ms) VALUES ($n, $c, $t)", ("$n", entry.Name), ("$c", entry.Comment), ("$t", entry.CreatedAtMs));
        _securables.Created(session, afterCommit, SecurableKind.Catalog, entry.Name, entry.CreatedAtMs);
        afterCommit.Add(() => _catalog.PutCatalog(entry));
        return EngineResult.Empty;
    }

    private (string Catalog, string Schema) ResolveSchemaName(TranslationSession session, QualifiedName name) => name.Parts.Count switch
    {
        1 => (session.Context.DefaultCatalog ?? "main", name.Parts[0]),
        2 => (name.Parts[0], name.Parts[1]),
        _ => throw EngineErrors.Syntax(name.ToString()),
    };

    private EngineResult CreateSchema(TranslationSession session, QueryTranslator queries, CreateSchemaStatement create, List<Action> afterCommit)
    {
        var (catalog, schema) = ResolveSchemaName(session, create.Name);
        if (_catalog.FindCatalog(catalog) == null) throw EngineErrors.CatalogNotFound(catalog);
        if (_catalog.FindSchema(catalog, schema) != null)
            return create.IfNotExists ? EngineResult.Empty : throw EngineErrors.SchemaAlreadyExists(catalog, schema);
        var entry = new SchemaEntry(catalog.ToLowerInvariant(), schema.ToLowerInvariant(), create.Comment, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        RunMeta(session, "INSERT INTO meta_schemas(catalog, name, comment, created_ms) VALUES ($c, $n, $m, $t)",
            ("$c", entry.Catalog), ("$n", entry.Name), ("$m", entry.Comment), ("$t", entry.CreatedAtMs));
        _securables.Created(session, afterCommit, SecurableKind.Schema, $"{entry.Catalog}.{entry.Name}", entry.CreatedAtMs);
        afterCommit.Add(() => _catalog.PutSchema(entry));
        return EngineResult.Empty;
    }

    private EngineResult CreateVolume(TranslationSession session, QueryTranslator queries, CreateVolumeStatement create, List<Action> afterCommit)
    {
        var (catalog, schema, name) = queries.ResolveThreePartName(create.Name);
        if (_catalog.FindCatalog(catalog) == null) throw EngineErrors.CatalogNotFound(catalog);
        if (_catalog.FindSchema(catalog, schema) == null) throw EngineErrors.SchemaNotFound(catalog, schema);
        if (_catalog.FindVolume(catalog, schema, name) != null)
            return create.IfNotExists ? EngineResult.Empty : throw EngineErrors.VolumeAlreadyExists(catalog, schema, name);
        var entry = new VolumeEntryInfo(catalog.ToLowerInvariant(), schema.ToLowerInvariant(), name.ToLowerInvariant(), Guid.NewGuid().ToString(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        RunMeta(session, "INSERT INTO meta_volumes(catalog, schema, name, volume_id, created_ms) VALUES ($c, $s, $n, $i, $t)",
            ("$c", entry.Catalog), ("$s", entry.Schema), ("$n", entry.Name), ("$i", entry.VolumeId), ("$t", entry.CreatedAtMs));
        _securables.Created(session, afterCommit, SecurableKind.Volume, $"{entry.Catalog}.{entry.Schema}.{entry.Name}", entry.CreatedAtMs, "MANAGED", create.Comment);
        Directory.CreateDirectory(VolumeDirectory(entry.Catalog, entry.Schema, entry.Name));
        afterCommit.Add(() => _catalog.PutVolume(entry));
        return EngineResult.Empty;
    }

    private static EngineResult DropTable(QueryTranslator queries, DeltaTableWriter writer, DropTableStatement drop)
    {
        var name = queries.ResolveThreePartName(drop.Name);
        TableMeta table;
        try { table = queries.FindTable(name); }
        catch (EngineException) when (drop.IfExists) { return EngineResult.Empty; }
        writer.DropTable(table);
        return EngineResult.Empty;
    }

    private EngineResult DropObject(TranslationSession session, QueryTranslator queries, DeltaTableWriter writer, DropObjectStatement drop, List<Action> afterCommit)
    {
        switch (drop.ObjectKind)
        {
            case "VOLUME":
            {
                var (catalog, schema, name) = queries.ResolveThreePartName(drop.Name);
                var volume = _catalog.FindVolume(catalog, schema, name);
                if (volume == null) return drop.IfExists ? EngineResult.Empty : throw EngineErrors.VolumeNotFound(catalog, schema, name);
                RunMeta(session, "DELETE FROM meta_volumes WHERE catalog = $c AND schema = $s AND name = $n", ("$c", volume.Catalog), ("$s", volume.Schema), ("$n", volume.Name));
                _securables.Remove(session, afterCommit, SecurableKind.Volume, $"{volume.Catalog}.{volume.Schema}.{volume.Name}");
                afterCommit.Add(() =>
                {
                    _catalog.RemoveVolume(volume);
                    var directory = VolumeDirectory(volume.Catalog, volume.Schema, volume.Name);
                    if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
                });
                return EngineResult.Empty;
            }
            case "SCHEMA":
            {
                var (catalog, schemaName) = ResolveSchemaName(session, drop.Name);
                var schema = _catalog.FindSchema(catalog, schemaName);
                if (schema == null) return drop.IfExists ? EngineResult.Empty : throw EngineErrors.SchemaNotFound(catalog, schemaName);
                var tables = _catalog.TablesOf(schema.Catalog, schema.Name);
                var volumes = _catalog.VolumesOf(schema.Catalog, schema.Name);
                if ((tables.Count > 0 || volumes.Count > 0) && !drop.Cascade)
                    throw new EngineException("SCHEMA_NOT_EMPTY", "2BP01", $"Cannot drop a schema {EngineErrors.QuoteParts(schema.Catalog, schema.Name)} because it contains objects. Use DROP SCHEMA ... CASCADE to drop the schema and all its objects.");
                foreach (var table in tables) writer.DropTable(table);
                foreach (var volume in volumes)
                    DropObject(session, queries, writer, new DropObjectStatement("VOLUME", new QualifiedName([volume.Catalog, volume.Schema, volume.Name]), true, false), afterCommit);
                RunMeta(session, "DELETE FROM meta_schemas WHERE catalog = $c AND name = $n", ("$c", schema.Catalog), ("$n", schema.Name));
                _securables.Remove(session, afterCommit, SecurableKind.Schema, $"{schema.Catalog}.{schema.Name}");
                afterCommit.Add(() => _catalog.RemoveSchema(schema));
                return EngineResult.Empty;
            }
            default:
            {
                var catalog = _catalog.FindCatalog(drop.Name.Last);
                if (catalog == null) return drop.IfExists ? EngineResult.Empty : throw EngineErrors.CatalogNotFound(drop.Name.Last);
                var schemas = _catalog.SchemasOf(catalog.Name);
                if (schemas.Count > 0 && !drop.Cascade)
                    throw new EngineException("SCHEMA_NOT_EMPTY", "2BP01", $"Cannot drop catalog {EngineErrors.Quote(catalog.Name)} because it contains schemas. Use CASCADE.");
                foreach (var schema in schemas)
                    DropObject(session, queries, writer, new DropObjectStatement("SCHEMA", new QualifiedName([schema.Catalog, schema.Name]), true, true), afterCommit);
                RunMeta(session, "DELETE FROM meta_catalogs WHERE name = $n", ("$n", catalog.Name));
                _securables.Remove(session, afterCommit, SecurableKind.Catalog, catalog.Name);
                afterCommit.Add(() => _catalog.RemoveCatalog(catalog));
                return EngineResult.Empty;
            }
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _writer.Dispose();
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
        _writeLock.Dispose();
        if (_deleteOnDispose)
        {
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
