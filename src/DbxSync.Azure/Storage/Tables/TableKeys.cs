namespace DbxSync.Azure.Storage.Tables;

/// <summary>PartitionKey/RowKey rules and how keys are written into URLs and filters.</summary>
public static class TableKeys
{
    public const int MaxKeyLength = 1024;

    public static void Validate(string key, string paramName)
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        if (key.Length > MaxKeyLength)
            throw new ArgumentException($"{paramName} is {key.Length} characters; table keys hold at most {MaxKeyLength}.", paramName);
        foreach (var c in key)
        {
            if (c is '/' or '\\' or '#' or '?')
                throw new ArgumentException($"{paramName} must not contain '/', '\\', '#' or '?' (found '{c}'); encode such values (e.g. base64url) first.", paramName);
            if (c <= '\u001F' || c is >= '\u007F' and <= '\u009F')
                throw new ArgumentException($"{paramName} must not contain control characters (found U+{(int)c:X4}).", paramName);
        }
    }

    /// <summary>A quoted OData string literal: 'it''s'. Use it for filters.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>The entity address segment, percent-encoded for the URL path.</summary>
    public static string EntityPath(string partitionKey, string rowKey)
    {
        Validate(partitionKey, "partitionKey");
        Validate(rowKey, "rowKey");
        return $"(PartitionKey={Escape(partitionKey)},RowKey={Escape(rowKey)})";

        static string Escape(string key) => "'" + Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal)) + "'";
    }

    public static void ValidateTableName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var valid = name.Length is >= 3 and <= 63 && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit)
            && !name.Equals("tables", StringComparison.OrdinalIgnoreCase);
        if (!valid)
            throw new ArgumentException($"Table name '{name}' must be 3-63 letters or digits, start with a letter, and not be 'tables'.", nameof(name));
    }
}
