using System.Text.RegularExpressions;
using DbxSync.Core.Errors;

namespace DbxSync.Core.Sql;

/// <summary>
/// The one place where catalog, schema, table, column and volume names are validated and quoted.
/// Unity Catalog names: up to 255 characters, no control characters, no '.', ' ', '/'; we also refuse
/// backticks so a quoted name can never break out.
/// </summary>
public static partial class SqlIdentifier
{
    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_\-]{0,254}$")]
    private static partial Regex NamePattern();

    public static bool IsValid(string? name) => name is not null && NamePattern().IsMatch(name);

    public static string Validate(string? name, string field)
    {
        if (!IsValid(name))
            throw new ValidationException($"'{name}' is not a valid identifier: use letters, digits, '_' or '-' (at most 255).", field, "invalid-identifier");
        return name!;
    }

    /// <summary>Backtick-quotes one validated name part.</summary>
    public static string Quote(string name, string field = "identifier") => "`" + Validate(name, field) + "`";
}

/// <summary>A three-part table name, validated.</summary>
public sealed record TableName(string Catalog, string Schema, string Table)
{
    public static TableName Parse(string? value, string field = "databricks_path")
    {
        var parts = (value ?? "").Split('.');
        if (parts.Length != 3)
            throw new ValidationException($"'{value}' is not a table name: expected catalog.schema.table.", field, "invalid-table-name");
        return new TableName(SqlIdentifier.Validate(parts[0], field), SqlIdentifier.Validate(parts[1], field), SqlIdentifier.Validate(parts[2], field));
    }

    public string FullName => $"{Catalog}.{Schema}.{Table}";
    /// <summary>`catalog`.`schema`.`table`, for statement text.</summary>
    public string Quoted => $"`{Catalog}`.`{Schema}`.`{Table}`";
    public override string ToString() => FullName;
}

/// <summary>A /Volumes/catalog/schema/volume[/dir...] path, validated: no '..', '.', empty or control segments.</summary>
public sealed record VolumePath(string Catalog, string Schema, string Volume, IReadOnlyList<string> Directories)
{
    public static VolumePath Parse(string? value, string field = "databricks_path")
    {
        var v = value ?? "";
        if (!v.StartsWith("/Volumes/", StringComparison.Ordinal))
            throw new ValidationException($"'{value}' is not a volume path: expected /Volumes/catalog/schema/volume[/dir...].", field, "invalid-volume-path");
        var segments = v["/Volumes/".Length..].TrimEnd('/').Split('/');
        if (segments.Length < 3)
            throw new ValidationException($"'{value}' is not a volume path: expected /Volumes/catalog/schema/volume[/dir...].", field, "invalid-volume-path");
        for (int i = 0; i < 3; i++) SqlIdentifier.Validate(segments[i], field);
        var dirs = segments[3..];
        foreach (var d in dirs) RelativePath.ValidateSegment(d, field);
        return new VolumePath(segments[0], segments[1], segments[2], dirs);
    }

    public string FullName => $"{Catalog}.{Schema}.{Volume}";
    public string Path => "/Volumes/" + string.Join('/', new[] { Catalog, Schema, Volume }.Concat(Directories));
    /// <summary>Joins a validated relative path ("a/b.csv") below this path.</summary>
    public string Combine(string relativePath) => Path + "/" + RelativePath.Normalize(relativePath, "path");
    public override string ToString() => Path;
}

/// <summary>Relative paths from outside (blob names, listing entries): refuses traversal and absolute forms.</summary>
public static class RelativePath
{
    public static void ValidateSegment(string segment, string field)
    {
        if (segment.Length == 0 || segment == "." || segment == ".." || segment.Any(c => char.IsControl(c) || c == '\\'))
            throw new ValidationException($"Path segment '{segment}' is not allowed ('.', '..', empty, backslash or control characters).", field, "invalid-path");
    }

    /// <summary>"a/b/c.txt" with every segment checked; leading '/' is refused as absolute.</summary>
    public static string Normalize(string relative, string field)
    {
        if (string.IsNullOrEmpty(relative) || relative.StartsWith('/') || relative.Contains(':'))
            throw new ValidationException($"'{relative}' is not a relative path.", field, "invalid-path");
        var segs = relative.Split('/');
        foreach (var s in segs) ValidateSegment(s, field);
        return relative;
    }

    public static bool IsSafe(string relative)
    {
        try { Normalize(relative, "path"); return true; } catch (ValidationException) { return false; }
    }
}
