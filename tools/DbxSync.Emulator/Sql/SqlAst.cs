namespace DbxSync.Emulator.Sql;

/// <summary>A possibly qualified name as written (1–3 parts for tables, 1–2 for columns).</summary>
public sealed record QualifiedName(IReadOnlyList<string> Parts)
{
    public string Last => Parts[^1];
    public override string ToString() => string.Join(".", Parts.Select(EngineErrors.Quote));
}

// ---------- Expressions ----------
public abstract record SqlExpr;
public sealed record LiteralExpr(object? Value, SqlType Type) : SqlExpr;
public sealed record ParameterExpr(string Name) : SqlExpr;
public sealed record ColumnExpr(string? Qualifier, string Name) : SqlExpr;
public sealed record StarExpr(string? Qualifier) : SqlExpr;
public sealed record UnaryExpr(string Operator, SqlExpr Operand) : SqlExpr;
public sealed record BinaryExpr(string Operator, SqlExpr Left, SqlExpr Right) : SqlExpr;
public sealed record IsNullExpr(SqlExpr Operand, bool Negated) : SqlExpr;
public sealed record InListExpr(SqlExpr Operand, IReadOnlyList<SqlExpr> Items, bool Negated) : SqlExpr;
public sealed record LikeExpr(SqlExpr Operand, SqlExpr Pattern, bool Negated) : SqlExpr;
public sealed record BetweenExpr(SqlExpr Operand, SqlExpr Low, SqlExpr High, bool Negated) : SqlExpr;
public sealed record FunctionExpr(string Name, IReadOnlyList<SqlExpr> Arguments, bool Distinct = false, bool CountStar = false) : SqlExpr;
public sealed record CastExpr(SqlExpr Operand, SqlType Target, bool Try = false) : SqlExpr;
/// <summary>A window function call: fn(...) OVER (PARTITION BY ... ORDER BY ...).</summary>
public sealed record WindowExpr(FunctionExpr Function, IReadOnlyList<SqlExpr> PartitionBy, IReadOnlyList<OrderItem> OrderBy) : SqlExpr;
public sealed record CaseExpr(SqlExpr? Operand, IReadOnlyList<(SqlExpr When, SqlExpr Then)> Branches, SqlExpr? Else) : SqlExpr;

// ---------- Table references ----------
public abstract record TableSource(string? Alias);
/// <summary>Name is either written out or supplied through IDENTIFIER(:param).</summary>
public sealed record NamedTableSource(QualifiedName? Name, string? NameParameter, SqlExpr? VersionAsOf, string? Alias) : TableSource(Alias);
public sealed record RangeSource(SqlExpr Start, SqlExpr? End, string? Alias) : TableSource(Alias);
public sealed record TableChangesSource(SqlExpr TableName, SqlExpr StartVersion, SqlExpr? EndVersion, string? Alias) : TableSource(Alias);
public sealed record ValuesSource(IReadOnlyList<IReadOnlyList<SqlExpr>> Rows, string? Alias, IReadOnlyList<string>? ColumnNames) : TableSource(Alias);
public sealed record SubquerySource(QueryExpr Query, string? Alias) : TableSource(Alias);
/// <summary>left LEFT OUTER JOIN right ON condition: every left row, right columns NULL where nothing matched.</summary>
public sealed record LeftJoinSource(TableSource Left, TableSource Right, SqlExpr On) : TableSource((string?)null);
public sealed record ReadFilesSource(SqlExpr Path, IReadOnlyDictionary<string, SqlExpr> Options, string? Alias) : TableSource(Alias);

// ---------- Queries ----------
public sealed record SelectItem(SqlExpr Expression, string? Alias);
public sealed record OrderItem(SqlExpr Expression, bool Descending, bool? NullsFirst);

public abstract record QueryExpr;
public sealed record SelectQuery(
    bool Distinct, IReadOnlyList<SelectItem> Items, TableSource? From, SqlExpr? Where,
    IReadOnlyList<SqlExpr> GroupBy, SqlExpr? Having) : QueryExpr
{
    /// <summary>The QUALIFY condition over window functions, if any.</summary>
    public SqlExpr? Qualify { get; init; }
}
/// <summary>EXCEPT / UNION / INTERSECT; Spark's bare forms are DISTINCT.</summary>
public sealed record SetOperationQuery(string Operator, bool All, QueryExpr Left, QueryExpr Right) : QueryExpr;
public sealed record OrderedQuery(QueryExpr Body, IReadOnlyList<OrderItem> OrderBy, SqlExpr? Limit, SqlExpr? Offset) : QueryExpr;
/// <summary>A bare VALUES list used as a query (INSERT INTO t VALUES ...).</summary>
public sealed record ValuesQuery(ValuesSource Values) : QueryExpr;

// ---------- Statements ----------
public abstract record SqlStatement;
public sealed record QueryStatement(QueryExpr Query) : SqlStatement;
public sealed record CreateCatalogStatement(string Name, bool IfNotExists, string? Comment) : SqlStatement;
public sealed record CreateSchemaStatement(QualifiedName Name, bool IfNotExists, string? Comment) : SqlStatement;
public sealed record CreateVolumeStatement(QualifiedName Name, bool IfNotExists, string? Comment) : SqlStatement;
public sealed record ColumnDefinition(string Name, SqlType Type, bool NotNull, string? Comment);
public sealed record CreateTableStatement(
    QualifiedName Name, bool IfNotExists, bool OrReplace, IReadOnlyList<ColumnDefinition> Columns,
    IReadOnlyList<KeyValuePair<string, string>> Properties, string? Comment) : SqlStatement;
public sealed record DropTableStatement(QualifiedName Name, bool IfExists) : SqlStatement;
public sealed record DropObjectStatement(string ObjectKind, QualifiedName Name, bool IfExists, bool Cascade) : SqlStatement;
public sealed record SetTablePropertiesStatement(NamedTableSource Table, IReadOnlyList<KeyValuePair<string, string>> Properties) : SqlStatement;
public sealed record InsertStatement(NamedTableSource Table, IReadOnlyList<string>? Columns, QueryExpr Source, bool Overwrite) : SqlStatement;
public sealed record Assignment(string Column, SqlExpr Value);
public sealed record UpdateStatement(NamedTableSource Table, IReadOnlyList<Assignment> Assignments, SqlExpr? Where) : SqlStatement;
public sealed record DeleteStatement(NamedTableSource Table, SqlExpr? Where) : SqlStatement;
public sealed record DescribeHistoryStatement(NamedTableSource Table, SqlExpr? Limit) : SqlStatement;
public sealed record OptimizeStatement(NamedTableSource Table) : SqlStatement;
public sealed record DescribeDetailStatement(NamedTableSource Table) : SqlStatement;
public sealed record AddColumnsStatement(NamedTableSource Table, IReadOnlyList<ColumnDefinition> Columns) : SqlStatement;
/// <summary>ALTER COLUMN c FIRST (After null) or AFTER other: the column's place changes, its values do not.</summary>
public sealed record MoveColumnStatement(NamedTableSource Table, string Column, string? After) : SqlStatement;
public sealed record DropColumnsStatement(NamedTableSource Table, IReadOnlyList<string> Columns, bool IfExists) : SqlStatement;

public enum MergeClauseKind { MatchedUpdate, MatchedUpdateStar, MatchedDelete, NotMatchedInsert, NotMatchedInsertStar, NotMatchedBySourceUpdate, NotMatchedBySourceDelete }
public sealed record MergeClause(
    MergeClauseKind Kind, SqlExpr? Condition, IReadOnlyList<Assignment> Assignments,
    IReadOnlyList<string>? InsertColumns, IReadOnlyList<SqlExpr>? InsertValues);
public sealed record MergeStatement(NamedTableSource Target, TableSource Source, SqlExpr On, IReadOnlyList<MergeClause> Clauses) : SqlStatement;
