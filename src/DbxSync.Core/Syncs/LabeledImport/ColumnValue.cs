using System.Globalization;
using DbxSync.Core.Ports;

namespace DbxSync.Core.Syncs.LabeledImport;

/// <summary>Checks that a CSV cell fits a Databricks column type, and gives its canonical text (so "01" and "1" are one key).</summary>
public sealed class ColumnValue
{
    private readonly string _typeName;
    private readonly int _precision, _scale;

    public ColumnValue(TableColumn column)
    {
        Column = column;
        var text = column.TypeText.Trim().ToUpperInvariant();
        _typeName = NormalizeTypeName(column.TypeName, text);
        SqlType = _typeName switch
        {
            "LONG" => "BIGINT",
            "SHORT" => "SMALLINT",
            "BYTE" => "TINYINT",
            "DECIMAL" => text.StartsWith("DECIMAL", StringComparison.Ordinal) ? text : "DECIMAL(10,0)",
            _ => _typeName,
        };
        if (_typeName == "DECIMAL")
        {
            (_precision, _scale) = (10, 0);
            var open = text.IndexOf('(');
            if (open > 0)
            {
                var parts = text[(open + 1)..].TrimEnd(')').Split(',');
                _precision = int.Parse(parts[0], CultureInfo.InvariantCulture);
                _scale = parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 0;
            }
        }
    }

    public TableColumn Column { get; }

    /// <summary>A STRING with the UTF8_LCASE collation: values equal when their lower-cased forms are equal.</summary>
    public bool CaseInsensitive => Column.TypeText.Contains("UTF8_LCASE", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// False for ARRAY, MAP, STRUCT, INTERVAL and VARIANT columns: a CSV cell cannot be cast to them, so the import
    /// leaves them out of the MERGE (and says so) instead of failing every file of the table.
    /// </summary>
    public bool IsCastable => !Uncastable.Any(u => _typeName.StartsWith(u, StringComparison.Ordinal));

    private static readonly string[] Uncastable = ["ARRAY", "MAP", "STRUCT", "INTERVAL", "VARIANT"];
    /// <summary>SQL type text for parameters and CASTs (BIGINT, DECIMAL(10,2), STRING...).</summary>
    public string SqlType { get; }

    /// <summary>Returns null when the value fits (canonical form in <paramref name="canonical"/>), else why not.</summary>
    public string? Check(string value, out string canonical)
    {
        canonical = value;
        switch (_typeName)
        {
            case "STRING": case "CHAR": case "VARCHAR":
                // A UTF8_LCASE column compares case-insensitively (lower-cased), so two keys differing in case are one
                // key to the MERGE (https://docs.databricks.com/en/sql/language-manual/sql-ref-collation.html).
                if (CaseInsensitive) canonical = value.ToLowerInvariant();
                return null;
            case "LONG": return Integer(value, long.MinValue, long.MaxValue, out canonical);
            case "INT": return Integer(value, int.MinValue, int.MaxValue, out canonical);
            case "SHORT": return Integer(value, short.MinValue, short.MaxValue, out canonical);
            case "BYTE": return Integer(value, sbyte.MinValue, sbyte.MaxValue, out canonical);
            case "DOUBLE": case "FLOAT":
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || value is "NaN" or "Infinity" or "-Infinity")
                { canonical = d.ToString("R", CultureInfo.InvariantCulture); return null; }
                return $"'{Shorten(value)}' is not a number ({SqlType})";
            case "BOOLEAN":
                if (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("false", StringComparison.OrdinalIgnoreCase))
                { canonical = value.ToLowerInvariant(); return null; }
                return $"'{Shorten(value)}' is not true or false (BOOLEAN)";
            case "DATE":
                if (AnsiDateTimeText.ParseDate(value) is { } date)
                { canonical = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture); return null; }
                return $"'{Shorten(value)}' is not a date Databricks can cast (yyyy-MM-dd)";
            case "TIMESTAMP": case "TIMESTAMP_NTZ":
                if (AnsiDateTimeText.ParseTimestamp(value) is { } ts)
                { canonical = ts.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture); return null; }
                return $"'{Shorten(value)}' is not a timestamp Databricks can cast (yyyy-MM-dd HH:mm:ss[.ffffff][zone], or with 'T')";
            case "DECIMAL":
                if (!decimal.TryParse(value, NumberStyles.Number & ~NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var m))
                    return $"'{Shorten(value)}' is not a decimal ({SqlType})";
                var scaled = decimal.Round(m, _scale);
                if (scaled != m) return $"'{Shorten(value)}' has more than {_scale} decimal places ({SqlType})";
                var integerDigits = decimal.Truncate(decimal.Abs(m)).ToString(CultureInfo.InvariantCulture).TrimStart('0').Length;
                if (integerDigits > _precision - _scale) return $"'{Shorten(value)}' does not fit {SqlType}";
                canonical = scaled.ToString("F" + _scale, CultureInfo.InvariantCulture);
                return null;
            default:
                return null;
        }
    }

    private string? Integer(string value, long min, long max, out string canonical)
    {
        canonical = value;
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
            return $"'{Shorten(value)}' is not a whole number ({SqlType})";
        if (v < min || v > max) return $"{value} is out of range for {SqlType}";
        canonical = v.ToString(CultureInfo.InvariantCulture);
        return null;
    }

    private static string NormalizeTypeName(string typeName, string typeText)
    {
        var n = typeName.ToUpperInvariant();
        if (n is not "" and not "USER_DEFINED_TYPE") return n;
        return typeText switch
        {
            "BIGINT" => "LONG",
            "SMALLINT" => "SHORT",
            "TINYINT" => "BYTE",
            _ when typeText.StartsWith("DECIMAL", StringComparison.Ordinal) => "DECIMAL",
            _ => typeText,
        };
    }

    private static string Shorten(string value) => value.Length > 40 ? value[..40] + "…" : value;
}
