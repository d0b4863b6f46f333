using System.Globalization;
using System.Text.Json;

namespace DbxSync.Emulator.Sql;

/// <summary>
/// Delta-style writes on the versioned storage table. Every row image carries _from_v/_to_v (the versions that
/// created and retired it) and _from_kind/_to_kind (insert vs update, delete vs update), so time travel is a
/// predicate and the change feed is derived from the images without a separate log.
/// Runs inside the engine's single write transaction; metadata reaches the in-memory catalog only after commit.
/// </summary>
public sealed class DeltaTableWriter(TranslationSession session, QueryTranslator queries, List<Action> afterCommit)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    public const int KindInsertOrDelete = 0;
    public const int KindUpdate = 1;
    private static readonly string[] ChangeFeedColumns = ["_change_type", "_commit_version", "_commit_timestamp"];

    private ExpressionTranslator Expressions => queries.Expressions;

    public static EngineResult CountsResult(params (string Name, long Value)[] counts) => new()
    {
        Columns = counts.Select(c => new EngineColumn(c.Name, "BIGINT", "LONG")).ToList(),
        Rows = [counts.Select(c => (string?)c.Value.ToString(Invariant)).ToArray()],
    };

    private static string PredicateParameter(SqlExpr? predicate) =>
        JsonSerializer.Serialize(predicate == null ? Array.Empty<string>() : [ExpressionTranslator.DisplayName(predicate)]);

    private void Publish(TableMeta table) => afterCommit.Add(() => session.Catalog.PutTable(table));

    private static void RequireNoChangeFeedColumnClash(IEnumerable<ColumnDefinition> columns, IReadOnlyDictionary<string, string> properties)
    {
        if (!properties.TryGetValue(TableMeta.ChangeDataFeedProperty, out var value) || !value.Equals("true", StringComparison.OrdinalIgnoreCase)) return;
        var clashes = columns.Select(c => c.Name).Where(n => ChangeFeedColumns.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList();
        if (clashes.Count > 0) throw EngineErrors.CdcReservedColumns(clashes);
    }

    public EngineResult CreateTable(CreateTableStatement statement)
    {
        var (catalog, schema, name) = queries.ResolveThreePartName(statement.Name);
        if (session.Catalog.FindCatalog(catalog) == null) throw EngineErrors.CatalogNotFound(catalog);
        if (session.Catalog.FindSchema(catalog, schema) == null) throw EngineErrors.SchemaNotFound(catalog, schema);
        var existing = session.Catalog.FindTable(catalog, schema, name);
        if (existing != null)
        {
            if (statement.IfNotExists) return EngineResult.Empty;
            if (!statement.OrReplace) throw EngineErrors.TableAlreadyExists(catalog, schema, name);
            DropTable(existing);
        }
        var duplicate = statement.Columns.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null)
            throw new EngineException("COLUMN_ALREADY_EXISTS", "42711", $"The column {EngineErrors.Quote(duplicate.Key)} already exists. Choose another name or rename the existing column.");
        var properties = NormalizeProperties(statement.Properties);
        RequireNoChangeFeedColumnClash(statement.Columns, properties);

        var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var uuid = Guid.NewGuid().ToString();
        long id;
        using (var command = session.CreateCommand("""
            INSERT INTO meta_tables(catalog, schema, name, uuid, columns_json, properties_json, current_version, earliest_version, created_ms, updated_ms)
            VALUES ($catalog, $schema, $name, $uuid, $columns, $properties, 0, 0, $ms, $ms) RETURNING table_id
            """))
        {
            command.Parameters.AddWithValue("$catalog", catalog.ToLowerInvariant());
            command.Parameters.AddWithValue("$schema", schema.ToLowerInvariant());
            command.Parameters.AddWithValue("$name", name.ToLowerInvariant());
            command.Parameters.AddWithValue("$uuid", uuid);
            command.Parameters.AddWithValue("$columns", CatalogStore.SerializeColumns(statement.Columns));
            command.Parameters.AddWithValue("$properties", CatalogStore.SerializeProperties(properties));
            command.Parameters.AddWithValue("$ms", nowMs);
            id = (long)command.ExecuteScalar()!;
        }
        var table = new TableMeta(id, catalog.ToLowerInvariant(), schema.ToLowerInvariant(), name.ToLowerInvariant(), uuid, statement.Columns, properties, 0, 0, nowMs, nowMs);
        var columnsSql = string.Join(", ", statement.Columns.Select((c, i) => $"{TableMeta.StorageColumn(i)} {c.Type.SqliteAffinity}{(c.NotNull ? " NOT NULL" : "")}"));
        session.ExecuteNonQuery($"CREATE TABLE {table.StorageTable} (_row_id INTEGER PRIMARY KEY, _from_v INTEGER NOT NULL, _from_kind INTEGER NOT NULL, _to_v INTEGER, _to_kind INTEGER, {columnsSql})");
        session.ExecuteNonQuery($"CREATE INDEX {table.StorageTable}_from ON {table.StorageTable}(_from_v)");
        session.ExecuteNonQuery($"CREATE INDEX {table.StorageTable}_to ON {table.StorageTable}(_to_v) WHERE _to_v IS NOT NULL");
        var committed = DeltaHistory.Commit(session, table, 0, "CREATE TABLE", new Dictionary<string, string?>
        {
            ["isManaged"] = "true",
            ["description"] = statement.Comment,
            ["partitionBy"] = "[]",
            ["clusterBy"] = "[]",
            ["properties"] = JsonSerializer.Serialize(properties),
        }, new Dictionary<string, long>(), isBlindAppend: true);
        Publish(committed);
        return EngineResult.Empty;
    }

    private static Dictionary<string, string> NormalizeProperties(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in properties)
        {
            var canonicalKey = key.Equals(TableMeta.ChangeDataFeedProperty, StringComparison.OrdinalIgnoreCase) ? TableMeta.ChangeDataFeedProperty : key;
            result[canonicalKey] = canonicalKey == TableMeta.ChangeDataFeedProperty ? value.ToLowerInvariant() : value;
        }
        return result;
    }

    public void DropTable(TableMeta table)
    {
        session.ExecuteNonQuery($"DROP TABLE IF EXISTS {table.StorageTable}");
        session.ExecuteNonQuery($"DELETE FROM meta_history WHERE table_id = {table.Id}");
        session.ExecuteNonQuery($"DELETE FROM meta_schema_versions WHERE table_id = {table.Id}");
        session.ExecuteNonQuery($"DELETE FROM meta_tables WHERE table_id = {table.Id}");
        afterCommit.Add(() => session.Catalog.RemoveTable(table));
    }

    public EngineResult SetProperties(SetTablePropertiesStatement statement)
    {
        var table = queries.ResolveTable(statement.Table);
        var changed = NormalizeProperties(statement.Properties);
        var merged = new Dictionary<string, string>(table.Properties, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in changed) merged[key] = value;
        RequireNoChangeFeedColumnClash(table.Columns, merged);
        var committed = DeltaHistory.Commit(session, table, table.CurrentVersion + 1, "SET TBLPROPERTIES",
            new Dictionary<string, string?> { ["properties"] = JsonSerializer.Serialize(changed) }, new Dictionary<string, long>(), false, merged);
        Publish(committed);
        return EngineResult.Empty;
    }

    /// <summary>
    /// ADD COLUMNS appends nullable columns; existing rows read NULL, and time travel to an earlier version still shows
    /// the columns that version had (https://docs.databricks.com/en/delta/update-schema.html).
    /// </summary>
    public EngineResult AddColumns(AddColumnsStatement statement)
    {
        var table = queries.ResolveTable(statement.Table);
        var names = table.Columns.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var column in statement.Columns)
        {
            if (!names.Add(column.Name))
                throw new EngineException("FIELD_ALREADY_EXISTS", "42710", $"Cannot add column, because {EngineErrors.Quote(column.Name)} already exists in {EngineErrors.QuoteParts(table.Catalog, table.Schema, table.Name)}.");
            if (column.NotNull)
                throw new EngineException("DELTA_NOT_NULL_COLUMN_NOT_FOUND_IN_STRUCT", "42K09", $"Column {EngineErrors.Quote(column.Name)} cannot be added as NOT NULL to a table with data.");
        }
        RequireNoChangeFeedColumnClash(statement.Columns, table.Properties);
        // New storage columns after every existing one, dropped ones included (their data serves time travel).
        var nextSlot = Convert.ToInt32(session.ExecuteScalar($"SELECT COUNT(*) FROM pragma_table_info('{table.StorageTable}') WHERE name GLOB 'c[0-9]*'"), Invariant);
        var slots = Enumerable.Range(0, table.Columns.Count).Select(i => table.Slots?[i] ?? i).ToList();
        foreach (var column in statement.Columns)
        {
            session.ExecuteNonQuery($"ALTER TABLE {table.StorageTable} ADD COLUMN {TableMeta.StorageColumn(nextSlot)} {column.Type.SqliteAffinity}");
            slots.Add(nextSlot++);
        }
        var changed = table with { Columns = table.Columns.Concat(statement.Columns).ToList(), Slots = slots };
        return CommitSchemaChange(table, changed, "ADD COLUMNS",
            JsonSerializer.Serialize(statement.Columns.Select(c => new { column = new { name = c.Name, type = c.Type.TypeText.ToLowerInvariant(), nullable = true } })));
    }

    /// <summary>
    /// DROP COLUMN[S] needs column mapping, as on Delta (https://docs.databricks.com/en/delta/column-mapping.html):
    /// the column disappears from the current schema, older versions still show it.
    /// </summary>
    public EngineResult DropColumns(DropColumnsStatement statement)
    {
        var table = queries.ResolveTable(statement.Table);
        if (!table.ColumnMappingEnabled)
            throw new EngineException("DELTA_UNSUPPORTED_DROP_COLUMN", "0AKDC",
                "DROP COLUMN is not supported for your Delta table. Please upgrade your table to reader version 2 and writer version 5 and change the column mapping mode to 'name' mapping.");
        var dropped = new HashSet<int>();
        foreach (var name in statement.Columns)
        {
            var index = table.ColumnIndex(name);
            if (index < 0)
            {
                if (statement.IfExists) continue;
                throw EngineErrors.UnresolvedColumn(name, table.Columns.Select(c => c.Name));
            }
            dropped.Add(index);
        }
        if (dropped.Count == 0) return EngineResult.Empty;
        if (dropped.Count == table.Columns.Count)
            throw new EngineException("DELTA_DROP_COLUMN_ON_SINGLE_FIELD_SCHEMA", "0AKDC", "Cannot drop column from a schema with a single column.");
        var keep = Enumerable.Range(0, table.Columns.Count).Where(i => !dropped.Contains(i)).ToList();
        var changed = table with { Columns = keep.Select(i => table.Columns[i]).ToList(), Slots = keep.Select(i => table.Slots?[i] ?? i).ToList() };
        return CommitSchemaChange(table, changed, "DROP COLUMNS", JsonSerializer.Serialize(dropped.Order().Select(i => table.Columns[i].Name)));
    }

    /// <summary>
    /// ALTER COLUMN c FIRST | AFTER other moves a column without touching data; Delta logs it as CHANGE COLUMN
    /// (https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-ddl-alter-table-manage-column.html).
    /// </summary>
    public EngineResult MoveColumn(MoveColumnStatement statement)
    {
        var table = queries.ResolveTable(statement.Table);
        var index = table.ColumnIndex(statement.Column);
        if (index < 0) throw EngineErrors.UnresolvedColumn(statement.Column, table.Columns.Select(c => c.Name));
        var order = Enumerable.Range(0, table.Columns.Count).Where(i => i != index).ToList();
        if (statement.After is { } after)
        {
            var anchor = table.ColumnIndex(after);
            if (anchor < 0 || anchor == index) throw EngineErrors.UnresolvedColumn(after, table.Columns.Select(c => c.Name));
            order.Insert(order.IndexOf(anchor) + 1, index);
        }
        else order.Insert(0, index);
        var changed = table with { Columns = order.Select(i => table.Columns[i]).ToList(), Slots = order.Select(i => table.Slots?[i] ?? i).ToList() };
        var column = table.Columns[index];
        return CommitSchemaChange(table, changed, "CHANGE COLUMN",
            JsonSerializer.Serialize(new { name = column.Name, type = column.Type.TypeText.ToLowerInvariant(), nullable = !column.NotNull }));
    }

    /// <summary>Records the schema before (once) and after, so time travel reads each version with its own columns.</summary>
    private EngineResult CommitSchemaChange(TableMeta before, TableMeta after, string operation, string columnsParameter)
    {
        var version = before.CurrentVersion + 1;
        void Record(long at, TableMeta t)
        {
            using var command = session.CreateCommand("INSERT OR REPLACE INTO meta_schema_versions(table_id, version, columns_json) VALUES ($id, $version, $columns)");
            command.Parameters.AddWithValue("$id", t.Id);
            command.Parameters.AddWithValue("$version", at);
            command.Parameters.AddWithValue("$columns", CatalogStore.SerializeColumns(t.Columns, t.Slots ?? Enumerable.Range(0, t.Columns.Count).ToList()));
            command.ExecuteNonQuery();
        }
        if (session.ExecuteScalar($"SELECT COUNT(*) FROM meta_schema_versions WHERE table_id = {before.Id}") is 0L) Record(before.EarliestVersion, before);
        Record(version, after);
        using (var command = session.CreateCommand("UPDATE meta_tables SET columns_json = $columns WHERE table_id = $id"))
        {
            command.Parameters.AddWithValue("$columns", CatalogStore.SerializeColumns(after.Columns, after.Slots));
            command.Parameters.AddWithValue("$id", before.Id);
            command.ExecuteNonQuery();
        }
        var committed = DeltaHistory.Commit(session, after, version, operation, new Dictionary<string, string?> { ["columns"] = columnsParameter },
            new Dictionary<string, long>(), false);
        Publish(committed);
        return EngineResult.Empty;
    }

    public EngineResult Optimize(OptimizeStatement statement)
    {
        var table = queries.ResolveTable(statement.Table);
        var committed = DeltaHistory.Commit(session, table, table.CurrentVersion + 1, "OPTIMIZE",
            new Dictionary<string, string?> { ["predicate"] = "[]", ["zOrderBy"] = "[]", ["clusterBy"] = "[]", ["auto"] = "false" },
            new Dictionary<string, long> { ["numRemovedFiles"] = 0, ["numAddedFiles"] = 0, ["numRemovedBytes"] = 0, ["numAddedBytes"] = 0 }, false);
        Publish(committed);
        return new EngineResult
        {
            Columns = [new("path", "STRING", "STRING"), new("metrics", "STRUCT<numFilesAdded: BIGINT, numFilesRemoved: BIGINT>", "STRUCT")],
            Rows = [[$"dbfs:/emulator/{table.Catalog}/{table.Schema}/{table.Name}", "{\"numFilesAdded\":0,\"numFilesRemoved\":0}"]],
        };
    }

    /// <summary>The storage column list in order, for INSERT column lists.</summary>
    public static string StorageColumnList(TableMeta table) =>
        string.Join(", ", table.Columns.Select((_, i) => table.StorageColumnOf(i)));

    public EngineResult Insert(InsertStatement statement)
    {
        var table = queries.ResolveTable(statement.Table);
        var version = table.CurrentVersion + 1;
        var source = queries.TranslateQuery(statement.Source);
        var targetIndexes = statement.Columns == null
            ? Enumerable.Range(0, table.Columns.Count).ToList()
            : statement.Columns.Select(c =>
            {
                var index = table.ColumnIndex(c);
                if (index < 0) throw EngineErrors.UnresolvedColumn(c, table.Columns.Select(x => x.Name));
                return index;
            }).ToList();
        if (source.Columns.Count != targetIndexes.Count)
        {
            if (source.Columns.Count > targetIndexes.Count)
                throw new EngineException("INSERT_COLUMN_ARITY_MISMATCH.TOO_MANY_DATA_COLUMNS", "21S01",
                    $"Cannot write to {EngineErrors.QuoteParts(table.Catalog, table.Schema, table.Name)}, the reason is too many data columns: Table columns: {targetIndexes.Count}. Data columns: {source.Columns.Count}.");
            throw EngineErrors.ColumnCountMismatch(EngineErrors.QuoteParts(table.Catalog, table.Schema, table.Name), targetIndexes.Count, source.Columns.Count);
        }
        var values = table.Columns.Select((column, i) =>
        {
            var position = targetIndexes.IndexOf(i);
            if (position < 0) return "NULL";
            return Expressions.CastTo(new TranslatedExpr($"src.o{position}", source.Columns[position].Type), column.Type).Sql;
        });
        // The query reads the table as it was before this write, even when it selects from the table it overwrites
        // (https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-dml-insert-into.html): insert first, then
        // retire only the rows that existed before.
        var lastRowBefore = session.ExecuteScalar($"SELECT COALESCE(MAX(_row_id), 0) FROM {table.StorageTable}");
        var inserted = session.ExecuteNonQuery(
            $"INSERT INTO {table.StorageTable}(_from_v, _from_kind, {StorageColumnList(table)}) SELECT {version}, {KindInsertOrDelete}, {string.Join(", ", values)} FROM ({source.Sql}) AS src");
        if (statement.Overwrite)
            session.ExecuteNonQuery($"UPDATE {table.StorageTable} SET _to_v = {version}, _to_kind = {KindInsertOrDelete} WHERE _to_v IS NULL AND _row_id <= {Convert.ToInt64(lastRowBefore, Invariant)}");
        var committed = DeltaHistory.Commit(session, table, version, "WRITE",
            new Dictionary<string, string?> { ["mode"] = statement.Overwrite ? "Overwrite" : "Append", ["partitionBy"] = "[]" },
            new Dictionary<string, long> { ["numFiles"] = 1, ["numOutputRows"] = inserted, ["numOutputBytes"] = inserted * 16L * table.Columns.Count },
            isBlindAppend: !statement.Overwrite);
        Publish(committed);
        return CountsResult(("num_affected_rows", inserted), ("num_inserted_rows", inserted));
    }

    public EngineResult Update(UpdateStatement statement)
    {
        var table = queries.ResolveTable(statement.Table);
        var version = table.CurrentVersion + 1;
        var alias = session.NextAlias("r");
        var relation = queries.BindCurrentTable(table, alias, statement.Table.Alias);
        var scope = new Scope(relation.Columns);
        var where = statement.Where == null ? "" : " AND " + Expressions.TranslateCondition(statement.Where, scope);
        var newValues = table.Columns.Select((_, i) => $"{alias}.{table.StorageColumnOf(i)}").ToArray();
        foreach (var assignment in statement.Assignments)
        {
            var index = table.ColumnIndex(assignment.Column);
            if (index < 0) throw EngineErrors.UnresolvedColumn(assignment.Column, table.Columns.Select(c => c.Name));
            newValues[index] = Expressions.CastTo(Expressions.Translate(assignment.Value, scope), table.Columns[index].Type).Sql;
        }
        var updated = session.ExecuteNonQuery(
            $"UPDATE {table.StorageTable} AS {alias} SET _to_v = {version}, _to_kind = {KindUpdate} WHERE {alias}._to_v IS NULL{where}");
        // The retired images still hold the old values, so SET expressions are evaluated against them.
        session.ExecuteNonQuery(
            $"INSERT INTO {table.StorageTable}(_from_v, _from_kind, {StorageColumnList(table)}) SELECT {version}, {KindUpdate}, {string.Join(", ", newValues)} FROM {table.StorageTable} AS {alias} WHERE {alias}._to_v = {version} AND {alias}._to_kind = {KindUpdate} ORDER BY {alias}._row_id");
        var committed = DeltaHistory.Commit(session, table, version, "UPDATE",
            new Dictionary<string, string?> { ["predicate"] = PredicateParameter(statement.Where) },
            new Dictionary<string, long>
            {
                ["numUpdatedRows"] = updated, ["numCopiedRows"] = 0, ["numAddedFiles"] = updated > 0 ? 1 : 0, ["numRemovedFiles"] = updated > 0 ? 1 : 0,
                ["numAddedChangeFiles"] = updated > 0 && table.ChangeDataFeedEnabled ? 1 : 0, ["executionTimeMs"] = 0, ["scanTimeMs"] = 0, ["rewriteTimeMs"] = 0,
            }, false);
        Publish(committed);
        return CountsResult(("num_affected_rows", updated));
    }

    public EngineResult Delete(DeleteStatement statement)
    {
        var table = queries.ResolveTable(statement.Table);
        var version = table.CurrentVersion + 1;
        var alias = session.NextAlias("r");
        var relation = queries.BindCurrentTable(table, alias, statement.Table.Alias);
        var where = statement.Where == null ? "" : " AND " + Expressions.TranslateCondition(statement.Where, new Scope(relation.Columns));
        var deleted = session.ExecuteNonQuery(
            $"UPDATE {table.StorageTable} AS {alias} SET _to_v = {version}, _to_kind = {KindInsertOrDelete} WHERE {alias}._to_v IS NULL{where}");
        var committed = DeltaHistory.Commit(session, table, version, "DELETE",
            new Dictionary<string, string?> { ["predicate"] = PredicateParameter(statement.Where) },
            new Dictionary<string, long>
            {
                ["numDeletedRows"] = deleted, ["numCopiedRows"] = 0, ["numRemovedFiles"] = deleted > 0 ? 1 : 0, ["numAddedFiles"] = 0,
                ["numAddedChangeFiles"] = deleted > 0 && table.ChangeDataFeedEnabled ? 1 : 0, ["executionTimeMs"] = 0, ["scanTimeMs"] = 0, ["rewriteTimeMs"] = 0,
            }, false);
        Publish(committed);
        return CountsResult(("num_affected_rows", deleted));
    }
}
