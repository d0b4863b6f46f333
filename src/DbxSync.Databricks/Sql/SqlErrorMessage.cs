using System.Text.RegularExpressions;

namespace DbxSync.Databricks.Sql;

/// <summary>
/// Pulls the machine-readable parts out of a SQL failure message: the leading "[ERROR_CLASS]" (the useful
/// discriminator, since error_code is nearly always BAD_REQUEST) and the "SQLSTATE: xxxxx" text.
/// </summary>
internal static partial class SqlErrorMessage
{
    [GeneratedRegex(@"^\s*\[([A-Za-z0-9_.]+)\]")]
    private static partial Regex LeadingClass();

    [GeneratedRegex(@"SQLSTATE:\s*([0-9A-Z]{5})\b")]
    private static partial Regex SqlStateText();

    public static string? ErrorClass(string? message)
    {
        var m = LeadingClass().Match(message ?? "");
        return m.Success ? m.Groups[1].Value : null;
    }

    public static string? SqlState(string? message)
    {
        var m = SqlStateText().Match(message ?? "");
        return m.Success ? m.Groups[1].Value : null;
    }
}
