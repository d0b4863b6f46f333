using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace DbxSync.Emulator.Sql;

/// <summary>A Delta table's metadata as of its latest commit. Immutable so readers can hold it while a writer commits.</summary>
public sealed record TableMeta(
    long Id, string Catalog, string Schema, string Name, string Uuid,
    IReadOnlyList<ColumnDefinition> Columns, IReadOnlyDictionary<string, string> Properties,
    long CurrentVersion, long EarliestVersion, long CreatedAtMs, long UpdatedAtMs)
{
    public const string ChangeDataFeedProperty = "delta.enableChangeDataFeed";
    public const string ColumnMappingProperty = "delta.columnMapping.mode";

    public string StorageTable => "t_" + Id;
    public static string StorageColumn(int index) => "c" + index;

    /// <summary>
    /// The storage column of each column, when it is not the column's position: a dropped column keeps its storage
    /// column (time travel still reads it), so later columns and added ones no longer line up with positions.
    /// </summary>
    public IReadOnlyList<int>? Slots { get; init; }

    public string StorageColumnOf(int index) => StorageColumn(Slots?[index] ?? index);
    public string FullName => $"{Catalog}.{Schema}.{Name}";
    public bool ChangeDataFeedEnabled =>
        Properties.TryGetValue(ChangeDataFeedProperty, out var value) && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Column mapping by name or id: what Delta requires before columns can be dropped or renamed.</summary>
    public bool ColumnMappingEnabled =>
        Properties.TryGetValue(ColumnMappingProperty, out var mode) && mode.ToLowerInvariant() is "name" or "id";

    public int ColumnIndex(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
            if (string.Equals(Columns[i].Name, name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    public TableEntry ToEntry() => new(
        Catalog, Schema, Name,
        Columns.Select((c, i) => new ColumnEntry(c.Name, c.Type.TypeText, c.Type.TypeName, i, !c.NotNull)).ToList(),
        new Dictionary<string, string>(Properties), CurrentVersion, CreatedAtMs, UpdatedAtMs, Uuid);
}

/// <summary>
/// Unity Catalog objects persisted in SQLite meta tables and mirrored in memory. The mirror is only
/// updated after the writing transaction commits, so readers never see uncommitted metadata.
/// </summary>
public sealed class CatalogStore
{
    private static readonly StringComparer NameComparer = StringComparer.OrdinalIgnoreCase;
    private readonly ConcurrentDictionary<string, CatalogEntry> _catalogs = new(NameComparer);
    private readonly ConcurrentDictionary<(string, string), SchemaEntry> _schemas = new(new PairComparer());
    private readonly ConcurrentDictionary<(string, string, string), VolumeEntryInfo> _volumes = new(new TripleComparer());
    private readonly ConcurrentDictionary<(string, string, string), TableMeta> _tables = new(new TripleComparer());

    /// <summary>Rows in meta_numbers (0..N-1), the building block of range().</summary>
    public const int NumbersCount = 10_000;

    public const string Schema = """
        CREATE TABLE IF NOT EXISTS meta_numbers(n INTEGER PRIMARY KEY);
        INSERT INTO meta_numbers(n) SELECT value FROM (WITH RECURSIVE g(value) AS (SELECT 0 UNION ALL SELECT value + 1 FROM g WHERE value + 1 < 10000) SELECT value FROM g)
            WHERE NOT EXISTS (SELECT 1 FROM meta_numbers);
        CREATE TABLE IF NOT EXISTS meta_catalogs(name TEXT PRIMARY KEY COLLATE NOCASE, comment TEXT, created_ms INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS meta_schemas(catalog TEXT COLLATE NOCASE, name TEXT COLLATE NOCASE, comment TEXT, created_ms INTEGER NOT NULL, PRIMARY KEY(catalog, name));
        CREATE TABLE IF NOT EXISTS meta_volumes(catalog TEXT COLLATE NOCASE, schema TEXT COLLATE NOCASE, name TEXT COLLATE NOCASE, volume_id TEXT NOT NULL, created_ms INTEGER NOT NULL, PRIMARY KEY(catalog, schema, name));
        CREATE TABLE IF NOT EXISTS meta_tables(
            table_id INTEGER PRIMARY KEY AUTOINCREMENT, catalog TEXT COLLATE NOCASE NOT NULL, schema TEXT COLLATE NOCASE NOT NULL, name TEXT COLLATE NOCASE NOT NULL,
            uuid TEXT NOT NULL, columns_json TEXT NOT NULL, properties_json TEXT NOT NULL, current_version INTEGER NOT NULL,
            earliest_version INTEGER NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, UNIQUE(catalog, schema, name));
        CREATE TABLE IF NOT EXISTS meta_vacuumed(table_id INTEGER PRIMARY KEY, files_before INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS meta_schema_versions(table_id INTEGER NOT NULL, version INTEGER NOT NULL, columns_json TEXT NOT NULL, PRIMARY KEY(table_id, version));
        CREATE TABLE IF NOT EXISTS meta_history(
            table_id INTEGER NOT NULL, version INTEGER NOT NULL, timestamp TEXT NOT NULL, timestamp_ms INTEGER NOT NULL,
            user_name TEXT, operation TEXT NOT NULL, parameters_json TEXT NOT NULL, metrics_json TEXT NOT NULL,
            read_version INTEGER, is_blind_append INTEGER NOT NULL, cdf_enabled INTEGER NOT NULL, PRIMARY KEY(table_id, version));
        """;

    private sealed record StoredColumn(string Name, string Type, bool NotNull, string? Comment, int? Slot = null);

    public void Load(SqliteConnection connection)
    {
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name, comment, created_ms FROM meta_catalogs";
            using var reader = command.ExecuteReader();
            while (reader.Read()) PutCatalog(new CatalogEntry(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2)));
        }
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT catalog, name, comment, created_ms FROM meta_schemas";
            using var reader = command.ExecuteReader();
            while (reader.Read()) PutSchema(new SchemaEntry(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3)));
        }
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT catalog, schema, name, volume_id, created_ms FROM meta_volumes";
            using var reader = command.ExecuteReader();
            while (reader.Read()) PutVolume(new VolumeEntryInfo(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4)));
        }
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT table_id FROM meta_tables";
            var ids = new List<long>();
            using (var reader = command.ExecuteReader()) while (reader.Read()) ids.Add(reader.GetInt64(0));
            foreach (var id in ids) PutTable(ReadTable(connection, id));
        }
    }

    public TableMeta ReadTable(SqliteConnection connection, long tableId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT catalog, schema, name, uuid, columns_json, properties_json, current_version, earliest_version, created_ms, updated_ms FROM meta_tables WHERE table_id = $id";
        command.Parameters.AddWithValue("$id", tableId);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) throw new InvalidOperationException($"table {tableId} vanished");
        var (columns, slots) = ParseColumns(reader.GetString(4));
        var properties = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(5))!;
        return new TableMeta(tableId, reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), columns,
            new Dictionary<string, string>(properties, StringComparer.OrdinalIgnoreCase), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9))
        {
            Slots = slots,
        };
    }

    /// <summary>Columns and, when any column is not at its own position, their storage slots.</summary>
    public static (List<ColumnDefinition> Columns, IReadOnlyList<int>? Slots) ParseColumns(string json)
    {
        var stored = JsonSerializer.Deserialize<List<StoredColumn>>(json)!;
        var columns = stored.Select(c => new ColumnDefinition(c.Name, SqlParser.ParseColumnList("x " + c.Type)[0].Type, c.NotNull, c.Comment)).ToList();
        var slots = stored.Select((c, i) => c.Slot ?? i).ToList();
        return (columns, slots.Select((slot, i) => slot == i).All(x => x) ? null : slots);
    }

    public static string SerializeColumns(IReadOnlyList<ColumnDefinition> columns, IReadOnlyList<int>? slots = null) =>
        JsonSerializer.Serialize(columns.Select((c, i) => new StoredColumn(c.Name, c.Type.TypeText, c.NotNull, c.Comment, slots?[i])));

    public static string SerializeProperties(IReadOnlyDictionary<string, string> properties) =>
        JsonSerializer.Serialize(new SortedDictionary<string, string>(properties.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal));

    public void PutCatalog(CatalogEntry entry) => _catalogs[entry.Name] = entry;
    public void PutSchema(SchemaEntry entry) => _schemas[(entry.Catalog, entry.Name)] = entry;
    public void PutVolume(VolumeEntryInfo entry) => _volumes[(entry.Catalog, entry.Schema, entry.Name)] = entry;
    public void PutTable(TableMeta table) => _tables[(table.Catalog, table.Schema, table.Name)] = table;
    public void RemoveTable(TableMeta table) => _tables.TryRemove((table.Catalog, table.Schema, table.Name), out _);
    public void RemoveVolume(VolumeEntryInfo volume) => _volumes.TryRemove((volume.Catalog, volume.Schema, volume.Name), out _);
    public void RemoveSchema(SchemaEntry schema) => _schemas.TryRemove((schema.Catalog, schema.Name), out _);
    public void RemoveCatalog(CatalogEntry catalog) => _catalogs.TryRemove(catalog.Name, out _);

    public CatalogEntry? FindCatalog(string name) => _catalogs.GetValueOrDefault(name);
    public SchemaEntry? FindSchema(string catalog, string schema) => _schemas.GetValueOrDefault((catalog, schema));
    public VolumeEntryInfo? FindVolume(string catalog, string schema, string name) => _volumes.GetValueOrDefault((catalog, schema, name));
    public TableMeta? FindTable(string catalog, string schema, string name) => _tables.GetValueOrDefault((catalog, schema, name));

    public IReadOnlyList<CatalogEntry> Catalogs => _catalogs.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    public IReadOnlyList<SchemaEntry> SchemasOf(string catalog) =>
        _schemas.Values.Where(s => NameComparer.Equals(s.Catalog, catalog)).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    public IReadOnlyList<VolumeEntryInfo> VolumesOf(string catalog, string schema) =>
        _volumes.Values.Where(v => NameComparer.Equals(v.Catalog, catalog) && NameComparer.Equals(v.Schema, schema)).OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
    public IReadOnlyList<TableMeta> TablesOf(string catalog, string schema) =>
        _tables.Values.Where(t => NameComparer.Equals(t.Catalog, catalog) && NameComparer.Equals(t.Schema, schema)).OrderBy(t => t.Name, StringComparer.Ordinal).ToList();

    private sealed class PairComparer : IEqualityComparer<(string, string)>
    {
        public bool Equals((string, string) x, (string, string) y) => NameComparer.Equals(x.Item1, y.Item1) && NameComparer.Equals(x.Item2, y.Item2);
        public int GetHashCode((string, string) obj) => HashCode.Combine(NameComparer.GetHashCode(obj.Item1), NameComparer.GetHashCode(obj.Item2));
    }

    private sealed class TripleComparer : IEqualityComparer<(string, string, string)>
    {
        public bool Equals((string, string, string) x, (string, string, string) y) =>
            NameComparer.Equals(x.Item1, y.Item1) && NameComparer.Equals(x.Item2, y.Item2) && NameComparer.Equals(x.Item3, y.Item3);
        public int GetHashCode((string, string, string) obj) =>
            HashCode.Combine(NameComparer.GetHashCode(obj.Item1), NameComparer.GetHashCode(obj.Item2), NameComparer.GetHashCode(obj.Item3));
    }
}
