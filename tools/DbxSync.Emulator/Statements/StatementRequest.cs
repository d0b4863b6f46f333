using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using DbxSync.Emulator.Sql;

namespace DbxSync.Emulator.Statements;

public enum ResultDisposition { Inline, ExternalLinks }

/// <summary>A validated POST /api/2.0/sql/statements body.</summary>
public sealed partial record StatementRequest(
    string Statement,
    string WarehouseId,
    string? Catalog,
    string? Schema,
    IReadOnlyList<EngineParameter> Parameters,
    TimeSpan WaitTimeout,
    bool CancelOnWaitTimeout,
    ResultDisposition Disposition,
    long? RowLimit,
    long? ByteLimit)
{
    public const int MaxStatementBytes = 16 * 1024 * 1024;

    /// <summary>Parses and validates like the real API; the error text is what a 400 INVALID_PARAMETER_VALUE carries.</summary>
    public static StatementRequest Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
            throw new StatementRequestException("Request body must be a JSON object.");

        var statement = OptionalString(body, "statement");
        if (string.IsNullOrWhiteSpace(statement))
            throw new StatementRequestException("statement is required.");
        if (System.Text.Encoding.UTF8.GetByteCount(statement) > MaxStatementBytes)
            throw new StatementRequestException("statement exceeds the maximum size of 16 MiB.");

        var warehouseId = OptionalString(body, "warehouse_id");
        if (string.IsNullOrEmpty(warehouseId))
            throw new StatementRequestException("warehouse_id is required.");

        var waitTimeout = ParseWaitTimeout(OptionalString(body, "wait_timeout") ?? "10s");

        var onWaitTimeout = OptionalString(body, "on_wait_timeout") ?? "CONTINUE";
        if (onWaitTimeout is not ("CONTINUE" or "CANCEL"))
            throw new StatementRequestException($"on_wait_timeout must be CONTINUE or CANCEL, got '{onWaitTimeout}'.");

        var disposition = (OptionalString(body, "disposition") ?? "INLINE") switch
        {
            "INLINE" => ResultDisposition.Inline,
            "EXTERNAL_LINKS" => ResultDisposition.ExternalLinks,
            var other => throw new StatementRequestException($"disposition must be INLINE or EXTERNAL_LINKS, got '{other}'."),
        };

        var format = OptionalString(body, "format") ?? "JSON_ARRAY";
        if (format is "ARROW_STREAM" or "CSV")
            throw new StatementRequestException($"format {format} is not supported by the DbxSync emulator; use JSON_ARRAY.");
        if (format != "JSON_ARRAY")
            throw new StatementRequestException($"format must be JSON_ARRAY, ARROW_STREAM or CSV, got '{format}'.");

        return new StatementRequest(
            statement, warehouseId,
            OptionalString(body, "catalog"), OptionalString(body, "schema"),
            ParseParameters(body), waitTimeout, onWaitTimeout == "CANCEL", disposition,
            OptionalPositiveLong(body, "row_limit"), OptionalPositiveLong(body, "byte_limit"));
    }

    private static TimeSpan ParseWaitTimeout(string text)
    {
        var match = WaitTimeoutPattern().Match(text);
        if (!match.Success || !int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds is > 0 and < 5 or > 50)
            throw new StatementRequestException($"wait_timeout must be 0s or between 5s and 50s, got '{text}'.");
        return TimeSpan.FromSeconds(seconds);
    }

    private static List<EngineParameter> ParseParameters(JsonElement body)
    {
        var parameters = new List<EngineParameter>();
        if (!body.TryGetProperty("parameters", out var list) || list.ValueKind == JsonValueKind.Null)
            return parameters;
        if (list.ValueKind != JsonValueKind.Array)
            throw new StatementRequestException("parameters must be an array.");

        foreach (var parameter in list.EnumerateArray())
        {
            var name = parameter.ValueKind == JsonValueKind.Object ? OptionalString(parameter, "name") : null;
            if (string.IsNullOrEmpty(name))
                throw new StatementRequestException("Every parameter needs a name; positional parameters are not supported.");
            var type = OptionalString(parameter, "type");
            parameters.Add(new EngineParameter(name, OptionalString(parameter, "value"), string.IsNullOrEmpty(type) ? "STRING" : type));
        }
        return parameters;
    }

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null => null,
            _ => throw new StatementRequestException($"{name} must be a string."),
        } : null;

    private static long? OptionalPositiveLong(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        long parsed = 0;
        var ok = value.ValueKind == JsonValueKind.Number
            ? value.TryGetInt64(out parsed)
            : value.ValueKind == JsonValueKind.String
              && long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out parsed);
        if (!ok || parsed <= 0)
            throw new StatementRequestException($"{name} must be a positive integer.");
        return parsed;
    }

    [GeneratedRegex(@"^(\d{1,3})s$")]
    private static partial Regex WaitTimeoutPattern();
}

public sealed class StatementRequestException(string message) : Exception(message);
