using System.Globalization;

namespace DbxSync.Emulator.Sql;

/// <summary>Binds FROM items to SQLite relations and translates queries (SELECT, set operations, VALUES) to SQLite SQL.</summary>
public sealed partial class QueryTranslator(TranslationSession session, ExpressionTranslator expressions)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public ExpressionTranslator Expressions => expressions;

    // ---------- names ----------
    public (string Catalog, string Schema, string Name) ResolveTableName(NamedTableSource source)
    {
        var name = source.Name;
        if (name == null)
        {
            var parameter = session.GetParameter(source.NameParameter!);
            name = SqlParser.ParseNameString(parameter.Value ?? throw EngineErrors.UnboundParameter(source.NameParameter!));
        }
        return ResolveThreePartName(name);
    }

    public (string Catalog, string Schema, string Name) ResolveThreePartName(QualifiedName name)
    {
        var parts = name.Parts;
        return parts.Count switch
        {
            3 => (parts[0], parts[1], parts[2]),
            2 => (session.Context.DefaultCatalog ?? "main", parts[0], parts[1]),
            1 => (session.Context.DefaultCatalog ?? "main", session.Context.DefaultSchema ?? "default", parts[0]),
            _ => throw EngineErrors.Syntax(name.ToString()),
        };
    }

    public TableMeta ResolveTable(NamedTableSource source) => FindTable(ResolveTableName(source));

    public TableMeta FindTable((string Catalog, string Schema, string Name) name)
    {
        var table = session.Catalog.FindTable(name.Catalog, name.Schema, name.Name);
        if (table != null) return table;
        if (session.Catalog.FindCatalog(name.Catalog) == null || session.Catalog.FindSchema(name.Catalog, name.Schema) == null)
            throw EngineErrors.TableNotFound(name.Catalog, name.Schema, name.Name);
        throw EngineErrors.TableNotFound(name.Catalog, name.Schema, name.Name);
    }

    /// <summary>Current rows of a table: the SQLite relation a DML statement writes through.</summary>
    public BoundRelation BindCurrentTable(TableMeta table, string alias, string? qualifier)
    {
        var columns = table.Columns.Select((c, i) => new BoundColumn(c.Name, c.Type, $"{alias}.{table.StorageColumnOf(i)}", qualifier ?? table.Name)).ToList();
        return new BoundRelation($"{table.StorageTable} AS {alias}", $"{alias}._to_v IS NULL", columns, table.StorageTable);
    }

    public long EvaluateConstantLong(SqlExpr expr, string what)
    {
        var translated = expressions.Translate(expr, Scope.Empty);
        if (!translated.Type.IsIntegral && translated.Type.Kind != SqlTypeKind.String)
            throw EngineErrors.DatatypeMismatch($"{what} must be an integer");
        var value = session.ExecuteScalar("SELECT " + translated.Sql);
        try { return Convert.ToInt64(value, Invariant); }
        catch (Exception) { throw EngineErrors.DatatypeMismatch($"{what} must be an integer"); }
    }

    /// <summary>
    /// Versions below this had their data and change files removed by a simulated VACUUM (SqliteDeltaEngine.VacuumFilesBefore):
    /// the log still lists them, reading them fails. 0 when the table was never vacuumed.
    /// </summary>
    private long FilesVacuumedBefore(TableMeta table)
        => session.ExecuteScalar($"SELECT files_before FROM meta_vacuumed WHERE table_id = {table.Id}") is { } v ? Convert.ToInt64(v, Invariant) : 0;

    // ---------- relations ----------
    public BoundRelation BindRelation(TableSource source)
    {
        var alias = session.NextAlias("r");
        switch (source)
        {
            case NamedTableSource named:
            {
                var table = ResolveTable(named);
                var qualifier = named.Alias ?? table.Name;
                if (named.VersionAsOf == null) return BindCurrentTable(table, alias, qualifier);
                var version = EvaluateConstantLong(named.VersionAsOf, "VERSION AS OF");
                if (version < table.EarliestVersion || version > table.CurrentVersion)
                    throw EngineErrors.VersionNotFound(version, table.EarliestVersion, table.CurrentVersion);
                if (version < FilesVacuumedBefore(table))
                    throw EngineErrors.DataFileNotFound(table.FullName, version);
                // Each version reads with the schema it had (columns added or dropped since do not show).
                var schema = session.ExecuteScalar(
                    $"SELECT columns_json FROM meta_schema_versions WHERE table_id = {table.Id} AND version <= {version} ORDER BY version DESC LIMIT 1") is string json
                    ? CatalogStore.ParseColumns(json) : (table.Columns.ToList(), table.Slots);
                var columns = schema.Item1.Select((c, i) => new BoundColumn(c.Name, c.Type, $"{alias}.{TableMeta.StorageColumn(schema.Item2?[i] ?? i)}", qualifier)).ToList();
                return new BoundRelation($"{table.StorageTable} AS {alias}",
                    $"{alias}._from_v <= {version} AND ({alias}._to_v IS NULL OR {alias}._to_v > {version})", columns);
            }
            case RangeSource range:
            {
                var start = EvaluateConstantLong(range.Start, "range start");
                var end = EvaluateConstantLong(range.End!, "range end");
                // A cross join of the 10,000-row numbers table is ~10x faster than a recursive CTE at a million rows.
                var span = end - start;
                var sql = span <= 0 ? $"(SELECT 0 AS c0 WHERE 0) AS {alias}"
                    : span <= CatalogStore.NumbersCount * (long)CatalogStore.NumbersCount
                        ? $"(SELECT {start} + hi.n * {CatalogStore.NumbersCount} + lo.n AS c0 FROM meta_numbers AS hi CROSS JOIN meta_numbers AS lo WHERE hi.n <= {(span - 1) / CatalogStore.NumbersCount} AND hi.n * {CatalogStore.NumbersCount} + lo.n < {span}) AS {alias}"
                        : $"(WITH RECURSIVE {alias}_g(id) AS (SELECT {start} UNION ALL SELECT id + 1 FROM {alias}_g WHERE id + 1 < {end}) SELECT id AS c0 FROM {alias}_g) AS {alias}";
                return new BoundRelation(sql, null, [new BoundColumn("id", SqlType.BigInt, $"{alias}.c0", range.Alias)]);
            }
            case ValuesSource values:
                return BindValues(values, alias);
            case SubquerySource subquery:
            {
                var query = TranslateQuery(subquery.Query);
                return new BoundRelation($"({query.Sql}) AS {alias}", null,
                    query.Columns.Select((c, i) => new BoundColumn(c.Name, c.Type, $"{alias}.o{i}", subquery.Alias)).ToList());
            }
            case TableChangesSource changes:
                return BindTableChanges(changes, alias);
            case ReadFilesSource readFiles:
            {
                var loaded = new ReadFilesLoader(session).Load(readFiles);
                return new BoundRelation($"{loaded.Table} AS {alias}", null,
                    loaded.Columns.Select((c, i) => new BoundColumn(c.Name, c.Type, $"{alias}.c{i}", readFiles.Alias)).ToList(), loaded.Table);
            }
            case LeftJoinSource join:
            {
                var left = BindRelation(join.Left);
                var right = BindRelation(join.Right);
                var on = expressions.TranslateCondition(join.On, new Scope([.. left.Columns, .. right.Columns]));
                // The right side's version filter belongs in ON: in WHERE it would drop the unmatched left rows.
                var condition = right.Filter == null ? on : $"{right.Filter} AND ({on})";
                return new BoundRelation($"{left.FromSql} LEFT JOIN {right.FromSql} ON {condition}", left.Filter, [.. left.Columns, .. right.Columns]);
            }
            default:
                return BindComplexRelation(source, alias);
        }
    }

    private BoundRelation BindValues(ValuesSource values, string alias)
    {
        var width = values.Rows[0].Count;
        if (values.Rows.Any(r => r.Count != width)) throw EngineErrors.Syntax("VALUES");
        var cells = values.Rows.Select(r => r.Select(e => expressions.Translate(e, Scope.Empty)).ToList()).ToList();
        var types = Enumerable.Range(0, width).Select(i =>
        {
            var type = SqlType.Void;
            foreach (var row in cells)
                type = SqlType.CommonType(type, row[i].Type) ?? throw EngineErrors.DatatypeMismatch("VALUES rows have incompatible types");
            return type;
        }).ToList();
        var rowsSql = string.Join(", ", cells.Select(row => "(" + string.Join(", ", row.Select((cell, i) => expressions.CastTo(cell, types[i]).Sql)) + ")"));
        var select = string.Join(", ", Enumerable.Range(0, width).Select(i => $"column{i + 1} AS c{i}"));
        var names = values.ColumnNames ?? Enumerable.Range(1, width).Select(i => "col" + i).ToList();
        if (names.Count != width) throw EngineErrors.Syntax("VALUES");
        return new BoundRelation($"(SELECT {select} FROM (VALUES {rowsSql})) AS {alias}", null,
            names.Select((n, i) => new BoundColumn(n, types[i], $"{alias}.c{i}", values.Alias)).ToList());
    }

    private object? ConstantArgument(SqlExpr expr, string name, int position)
    {
        if (expr is not (LiteralExpr or ParameterExpr or CastExpr { Operand: LiteralExpr or ParameterExpr }))
            throw EngineErrors.CdcNonConstantArgument(name, position);
        var translated = expressions.Translate(expr, Scope.Empty);
        return session.ExecuteScalar("SELECT " + translated.Sql);
    }

    private BoundRelation BindTableChanges(TableChangesSource changes, string alias)
    {
        var tableName = ConstantArgument(changes.TableName, "table", 1) as string ?? throw EngineErrors.CdcNonConstantArgument("table", 1);
        var table = FindTable(ResolveThreePartName(SqlParser.ParseNameString(tableName)));
        long Version(SqlExpr expr, string name, int position)
        {
            var value = ConstantArgument(expr, name, position);
            if (value is long l) return l;
            if (value is string s && long.TryParse(s, NumberStyles.Integer, Invariant, out var parsed)) return parsed;
            throw EngineErrors.Unsupported("table_changes with timestamp bounds in the emulator");
        }
        var start = Version(changes.StartVersion, "startingVersion", 2);
        var end = changes.EndVersion == null ? table.CurrentVersion : Version(changes.EndVersion, "endingVersion", 3);
        if (start > table.CurrentVersion) throw EngineErrors.CdcStartAfterLatest(start, table.CurrentVersion);
        if (end < start) throw EngineErrors.InvalidCdcRange(start, end);
        end = Math.Min(end, table.CurrentVersion);
        if (start < table.EarliestVersion) throw EngineErrors.VersionNotFound(start, table.EarliestVersion, table.CurrentVersion);
        if (start < FilesVacuumedBefore(table)) throw EngineErrors.ChangeDataFileNotFound(table.FullName, start);
        var missing = session.ExecuteScalar(
            $"SELECT MIN(version) FROM meta_history WHERE table_id = {table.Id} AND version BETWEEN {start} AND {end} AND cdf_enabled = 0");
        if (missing != null) throw EngineErrors.MissingChangeData(start, end, Convert.ToInt64(missing, Invariant));

        var dataColumns = string.Join(", ", table.Columns.Select((_, i) => table.StorageColumnOf(i)));
        var inner =
            $"SELECT {dataColumns}, CASE _from_kind WHEN 1 THEN 'update_postimage' ELSE 'insert' END AS k_type, _from_v AS k_version FROM {table.StorageTable} WHERE _from_v >= {start} AND _from_v <= {end} " +
            $"UNION ALL SELECT {dataColumns}, CASE _to_kind WHEN 1 THEN 'update_preimage' ELSE 'delete' END, _to_v FROM {table.StorageTable} WHERE _to_v >= {start} AND _to_v <= {end}";
        var sql = $"(SELECT x.*, h.timestamp AS k_timestamp FROM ({inner}) AS x JOIN meta_history AS h ON h.table_id = {table.Id} AND h.version = x.k_version) AS {alias}";
        var columns = table.Columns.Select((c, i) => new BoundColumn(c.Name, c.Type, $"{alias}.{table.StorageColumnOf(i)}", changes.Alias)).ToList();
        columns.Add(new BoundColumn("_change_type", SqlType.String, $"{alias}.k_type", changes.Alias));
        columns.Add(new BoundColumn("_commit_version", SqlType.BigInt, $"{alias}.k_version", changes.Alias));
        columns.Add(new BoundColumn("_commit_timestamp", SqlType.Timestamp, $"{alias}.k_timestamp", changes.Alias));
        return new BoundRelation(sql, null, columns);
    }

    // ---------- queries ----------
    public TranslatedQuery TranslateQuery(QueryExpr query) => query switch
    {
        OrderedQuery ordered => TranslateQuery(ordered.Body, ordered.OrderBy, ordered.Limit, ordered.Offset),
        _ => TranslateQuery(query, [], null, null),
    };

    private TranslatedQuery TranslateQuery(QueryExpr query, IReadOnlyList<OrderItem> orderBy, SqlExpr? limit, SqlExpr? offset)
    {
        switch (query)
        {
            case OrderedQuery nested when orderBy.Count == 0 && limit == null && offset == null:
                return TranslateQuery(nested);
            case SelectQuery select:
                return TranslateSelect(select, orderBy, limit, offset);
            case ValuesQuery values:
            {
                var relation = BindValues(values.Values, session.NextAlias("r"));
                var sql = $"SELECT {string.Join(", ", relation.Columns.Select((c, i) => $"{c.Sql} AS o{i}"))} FROM {relation.FromSql}";
                var columns = relation.Columns.Select(c => (c.Name, c.Type)).ToList();
                return new TranslatedQuery(sql + OrderByOutputs(orderBy, columns) + LimitClause(limit, offset), columns);
            }
            case SetOperationQuery set:
            {
                var left = TranslateQuery(set.Left);
                var right = TranslateQuery(set.Right);
                if (left.Columns.Count != right.Columns.Count)
                    throw new EngineException("NUM_COLUMNS_MISMATCH", "42826",
                        $"{set.Operator} can only be performed on inputs with the same number of columns, but the first input has {left.Columns.Count} columns and the second input has {right.Columns.Count} columns.");
                var columns = left.Columns.Select((c, i) =>
                    (c.Name, SqlType.CommonType(c.Type, right.Columns[i].Type) ?? throw EngineErrors.DatatypeMismatch($"{set.Operator} column {i + 1} types differ"))).ToList();
                if (set.All && set.Operator != "UNION") throw EngineErrors.Unsupported($"{set.Operator} ALL");
                if (!set.All) RequireSetComparable(columns);
                var op = set.Operator + (set.All ? " ALL" : "");
                var sql = $"SELECT * FROM ({left.Sql}) {op} SELECT * FROM ({right.Sql})";
                return new TranslatedQuery(sql + OrderByOutputs(orderBy, columns) + LimitClause(limit, offset), columns);
            }
            default:
                throw EngineErrors.Unsupported(query.GetType().Name);
        }
    }

    private string OrderByOutputs(IReadOnlyList<OrderItem> orderBy, IReadOnlyList<(string Name, SqlType Type)> columns)
    {
        if (orderBy.Count == 0) return "";
        var terms = orderBy.Select(item =>
        {
            var position = item.Expression switch
            {
                LiteralExpr { Value: long n } => (int)n,
                ColumnExpr c => columns.Select((col, i) => (col, i)).Where(x => string.Equals(x.col.Name, c.Name, StringComparison.OrdinalIgnoreCase)).Select(x => x.i + 1).FirstOrDefault(),
                _ => 0,
            };
            if (position < 1 || position > columns.Count)
                throw EngineErrors.UnresolvedColumn(ExpressionTranslator.DisplayName(item.Expression), columns.Select(c => c.Name));
            return position.ToString(Invariant) + OrderSuffix(item);
        });
        return " ORDER BY " + string.Join(", ", terms);
    }

    private static string OrderSuffix(OrderItem item) =>
        (item.Descending ? " DESC" : " ASC") + (item.NullsFirst switch { true => " NULLS FIRST", false => " NULLS LAST", _ => "" });

    private string LimitClause(SqlExpr? limit, SqlExpr? offset)
    {
        if (limit == null && offset == null) return "";
        var limitValue = limit == null ? -1 : EvaluateConstantLong(limit, "LIMIT");
        if (limit != null && limitValue < 0) throw EngineErrors.DatatypeMismatch("LIMIT must be non-negative");
        return $" LIMIT {limitValue}" + (offset == null ? "" : $" OFFSET {EvaluateConstantLong(offset, "OFFSET")}");
    }

    private TranslatedQuery TranslateSelect(SelectQuery select, IReadOnlyList<OrderItem> orderBy, SqlExpr? limit, SqlExpr? offset)
    {
        select = RewriteSelectGenerator(select);
        var relation = select.From == null ? null : BindRelation(select.From);
        var scope = new Scope(relation?.Columns ?? []);
        var outputs = new List<(string Name, SqlType Type, string Sql)>();
        foreach (var item in select.Items)
        {
            if (item.Expression is StarExpr star)
            {
                var expanded = scope.Columns.Where(c => star.Qualifier == null || string.Equals(c.Qualifier, star.Qualifier, StringComparison.OrdinalIgnoreCase)).ToList();
                if (expanded.Count == 0 && ExpandStructStar(star, scope) is { } fields) { outputs.AddRange(fields); continue; }
                if (expanded.Count == 0) throw EngineErrors.UnresolvedColumn(star.Qualifier == null ? "*" : star.Qualifier + ".*", scope.Columns.Select(c => c.Name));
                outputs.AddRange(expanded.Select(c => (c.Name, c.Type, c.Sql)));
                continue;
            }
            var translated = expressions.Translate(item.Expression, scope);
            outputs.Add((item.Alias ?? ExpressionTranslator.DisplayName(item.Expression), translated.Type, translated.Sql));
        }

        if (select.Distinct) RequireSetComparable(outputs.Select(o => (o.Name, o.Type)).ToList());
        RequireGroupable(select.GroupBy, scope);
        var sql = new System.Text.StringBuilder("SELECT ");
        if (select.Distinct) sql.Append("DISTINCT ");
        sql.Append(string.Join(", ", outputs.Select((o, i) => $"{o.Sql} AS o{i}")));
        // SQLite has window functions but no QUALIFY: the condition becomes one more column, filtered outside.
        if (select.Qualify != null) sql.Append($", ({expressions.TranslateCondition(select.Qualify, scope)}) AS q_keep");
        if (relation != null) sql.Append(" FROM ").Append(relation.FromSql);
        var conditions = new List<string>();
        if (relation?.Filter != null) conditions.Add(relation.Filter);
        if (select.Where != null) conditions.Add(expressions.TranslateCondition(select.Where, scope));
        if (conditions.Count > 0) sql.Append(" WHERE ").Append(string.Join(" AND ", conditions));
        if (select.GroupBy.Count > 0)
        {
            var groups = select.GroupBy.Select(g => g is LiteralExpr { Value: long n } && n >= 1 && n <= outputs.Count
                ? outputs[(int)n - 1].Sql
                : expressions.Translate(g, scope).Sql);
            sql.Append(" GROUP BY ").Append(string.Join(", ", groups));
        }
        if (select.Having != null) sql.Append(" HAVING ").Append(expressions.TranslateCondition(select.Having, scope));
        var columns = outputs.Select(o => (o.Name, o.Type)).ToList();
        if (select.Qualify != null)
        {
            var filtered = $"SELECT {string.Join(", ", outputs.Select((_, i) => $"o{i}"))} FROM ({sql}) WHERE q_keep";
            return new TranslatedQuery(filtered + OrderByOutputs(orderBy, columns) + LimitClause(limit, offset), columns);
        }
        if (orderBy.Count > 0)
        {
            var terms = orderBy.Select(item =>
            {
                if (item.Expression is LiteralExpr { Value: long n } && n >= 1 && n <= outputs.Count) return $"o{n - 1}" + OrderSuffix(item);
                if (item.Expression is ColumnExpr { Qualifier: null } c)
                {
                    var index = outputs.FindIndex(o => string.Equals(o.Name, c.Name, StringComparison.OrdinalIgnoreCase));
                    if (index >= 0) return $"o{index}" + OrderSuffix(item);
                }
                return expressions.Translate(item.Expression, scope).Sql + OrderSuffix(item);
            });
            sql.Append(" ORDER BY ").Append(string.Join(", ", terms));
        }
        sql.Append(LimitClause(limit, offset));
        return new TranslatedQuery(sql.ToString(), columns);
    }
}
