using System.Globalization;
using System.Text;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;

namespace DbxSync.Core.Syncs.Datasets;

/// <summary>A staging table's columns (constant names and Databricks types) and the parameterised INSERTs that fill it.</summary>
public sealed class StagedValues(TableName staging, IReadOnlyList<(string Name, string Type)> columns)
{
    public TableName Table => staging;

    public string Create() => $"""
        CREATE TABLE {staging.Quoted} (
          {string.Join(",\n  ", columns.Select(c => $"{SqlIdentifier.Quote(c.Name, "column")} {c.Type}"))}
        )
        """;

    public string Drop() => $"DROP TABLE IF EXISTS {staging.Quoted}";

    /// <summary>
    /// One INSERT of <paramref name="rows"/> (one cell per column, null = NULL) with a parameter per value, named
    /// by <paramref name="firstRow"/> onwards so no two statements of one import reuse a name.
    /// </summary>
    public (string Statement, List<SqlParameter> Parameters) Insert(IReadOnlyList<string?[]> rows, long firstRow)
    {
        var parameters = new List<SqlParameter>(rows.Count * columns.Count);
        var values = new StringBuilder();
        for (var r = 0; r < rows.Count; r++)
        {
            values.Append(r > 0 ? ",\n(" : "(");
            for (var i = 0; i < columns.Count; i++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"r{firstRow + r}_{i}");
                parameters.Add(new SqlParameter(name, rows[r][i], columns[i].Type));
                // The CAST keeps the column typed even when a whole batch column is NULL.
                values.Append(i > 0 ? ", " : "").Append("CAST(:").Append(name).Append(" AS ").Append(columns[i].Type).Append(')');
            }
            values.Append(')');
        }
        return ($"INSERT INTO {staging.Quoted} VALUES\n{values}", parameters);
    }
}
