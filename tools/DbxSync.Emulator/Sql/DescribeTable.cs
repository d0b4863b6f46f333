namespace DbxSync.Emulator.Sql;

/// <summary>
/// DESCRIBE TABLE: one row per column, col_name, data_type (Spark's catalogString: bigint, decimal(10,2),
/// array&lt;string&gt;, struct&lt;a:int,b:string&gt;) and comment
/// (https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-aux-describe-table.html).
/// Emulated tables are never partitioned, so no "# Partition Information" rows follow.
/// </summary>
public static class DescribeTable
{
    public static readonly IReadOnlyList<EngineColumn> Columns =
    [
        new("col_name", "STRING", "STRING"),
        new("data_type", "STRING", "STRING"),
        new("comment", "STRING", "STRING"),
    ];

    public static EngineResult Describe(TableMeta table) => new()
    {
        Columns = Columns,
        Rows = table.Columns.Select(c => new[] { c.Name, c.Type.CatalogText, c.Comment }).ToList(),
    };
}
