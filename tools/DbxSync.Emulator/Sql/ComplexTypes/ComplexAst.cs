namespace DbxSync.Emulator.Sql;

/// <summary>array[index] (0-based) or map[key]: https://docs.databricks.com/en/sql/language-manual/functions/bracketsign.html</summary>
public sealed record SubscriptExpr(SqlExpr Operand, SqlExpr Index) : SqlExpr;

/// <summary>struct.field: https://docs.databricks.com/en/sql/language-manual/functions/dotsign.html</summary>
public sealed record FieldAccessExpr(SqlExpr Operand, string Field) : SqlExpr;

/// <summary>One step of a JSON path: a field (case-sensitive when bracketed), an array index, or [*].</summary>
public sealed record JsonPathSegment(string? Field, int? Index, bool CaseSensitive, bool Wildcard = false);

/// <summary>expr:path on a JSON STRING or a VARIANT: https://docs.databricks.com/en/sql/language-manual/sql-ref-json-path-expression.html</summary>
public sealed record JsonPathExpr(SqlExpr Operand, IReadOnlyList<JsonPathSegment> Path, string Text) : SqlExpr;

/// <summary>An argument of struct() with its field name (struct(a AS x)).</summary>
public sealed record NamedArgumentExpr(SqlExpr Value, string Name) : SqlExpr;

/// <summary>
/// A generator (explode, posexplode, inline and their _outer forms) producing rows: as a table-valued function in FROM,
/// or joined to each row of Input by LATERAL VIEW or a generator in the select list
/// (https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-qry-select-lateral-view.html).
/// </summary>
public sealed record GeneratorSource(TableSource? Input, FunctionExpr Generator, bool Outer, string? Alias, IReadOnlyList<string>? ColumnAliases)
    : TableSource(Alias);

/// <summary>DESCRIBE [TABLE] name: https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-aux-describe-table.html</summary>
public sealed record DescribeTableStatement(NamedTableSource Table) : SqlStatement;
