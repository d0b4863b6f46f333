using System.Globalization;

namespace DbxSync.Azure.Storage.Tables;

/// <summary>Builds $filter expressions with correctly typed and escaped literals.</summary>
public static class TableFilter
{
    public static string Equal(string property, object value) => $"{property} eq {Literal(value)}";

    /// <summary>All rows whose <paramref name="property"/> starts with <paramref name="prefix"/>, as a range the service can seek.</summary>
    public static string StartsWith(string property, string prefix)
    {
        if (prefix.Length == 0)
            return $"{property} ge ''";
        var upper = prefix[..^1] + (char)(prefix[^1] + 1);
        return $"{property} ge {Literal(prefix)} and {property} lt {Literal(upper)}";
    }

    public static string And(params string[] clauses) => string.Join(" and ", clauses.Select(c => $"({c})"));

    public static string Literal(object value) => value switch
    {
        string s => TableKeys.Quote(s),
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        double d => d.ToString("R", CultureInfo.InvariantCulture) is var r && (r.Contains('.') || r.Contains('E')) ? r : r + ".0",
        DateTimeOffset t => $"datetime'{t.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffffffZ}'",
        DateTime t => $"datetime'{t.ToUniversalTime():yyyy-MM-ddTHH:mm:ss.fffffffZ}'",
        Guid g => $"guid'{g:D}'",
        byte[] bytes => $"X'{Convert.ToHexString(bytes)}'",
        _ => throw new ArgumentException($"No table literal for {value.GetType().Name}.", nameof(value)),
    };
}
