using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Azure;

namespace DbxSync.Azure.Storage.Tables;

/// <summary>
/// OData v3 JSON for entities. Types JSON cannot express are annotated on write (Prop@odata.type)
/// and read back from the annotations minimalmetadata returns, so every supported type round-trips.
/// </summary>
internal static class TableEntityJson
{
    private const string TypeSuffix = "@odata.type";

    public static byte[] Serialize(TableEntity entity)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("PartitionKey", entity.PartitionKey);
            writer.WriteString("RowKey", entity.RowKey);
            foreach (var (name, value) in entity.Properties)
            {
                if (name is "PartitionKey" or "RowKey" or "Timestamp" || name.StartsWith("odata.", StringComparison.Ordinal))
                    continue;
                WriteProperty(writer, name, value);
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteProperty(Utf8JsonWriter writer, string name, object? value)
    {
        switch (value)
        {
            case null:
                // Table storage has no null: an absent property is the null.
                break;
            case string s:
                writer.WriteString(name, s);
                break;
            case bool b:
                writer.WriteBoolean(name, b);
                break;
            case int i:
                writer.WriteNumber(name, i);
                break;
            case long l:
                writer.WriteString(name + TypeSuffix, "Edm.Int64");
                writer.WriteString(name, l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                // Annotated so that 1.0 stays a double instead of becoming Int32.
                writer.WriteString(name + TypeSuffix, "Edm.Double");
                if (double.IsFinite(d))
                    writer.WriteNumber(name, d);
                else
                    writer.WriteString(name, double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                break;
            case DateTimeOffset t:
                WriteDate(writer, name, t.UtcDateTime);
                break;
            case DateTime t:
                WriteDate(writer, name, t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime());
                break;
            case Guid g:
                writer.WriteString(name + TypeSuffix, "Edm.Guid");
                writer.WriteString(name, g.ToString("D"));
                break;
            case byte[] bytes:
                writer.WriteString(name + TypeSuffix, "Edm.Binary");
                writer.WriteBase64String(name, bytes);
                break;
            default:
                throw new ArgumentException(
                    $"Property '{name}' is a {value.GetType().Name}; table properties are string, int, long, bool, double, DateTimeOffset, Guid or byte[].");
        }
    }

    private static void WriteDate(Utf8JsonWriter writer, string name, DateTime utc)
    {
        if (utc < new DateTime(1601, 1, 1, 0, 0, 0, DateTimeKind.Utc))
            throw new ArgumentOutOfRangeException(name, "Table storage dates start at 1601-01-01 UTC.");
        writer.WriteString(name + TypeSuffix, "Edm.DateTime");
        writer.WriteString(name, utc.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
    }

    public static TableEntity Deserialize(JsonElement json, string? etagHeader = null)
    {
        var entity = new TableEntity(
            json.TryGetProperty("PartitionKey", out var pk) ? pk.GetString() ?? "" : "",
            json.TryGetProperty("RowKey", out var rk) ? rk.GetString() ?? "" : "");
        if (etagHeader is not null)
            entity.ETag = new ETag(etagHeader);
        else if (json.TryGetProperty("odata.etag", out var etag) && etag.GetString() is { } bodyETag)
            entity.ETag = new ETag(bodyETag);

        foreach (var property in json.EnumerateObject())
        {
            var name = property.Name;
            if (name is "PartitionKey" or "RowKey" || name.StartsWith("odata.", StringComparison.Ordinal) || name.Contains('@'))
                continue;
            var edmType = json.TryGetProperty(name + TypeSuffix, out var annotation) ? annotation.GetString() : null;
            var value = ReadValue(property.Value, edmType);
            if (name == "Timestamp")
                entity.Timestamp = value as DateTimeOffset? ?? ParseDate(property.Value.GetString());
            else
                entity.Properties[name] = value;
        }
        return entity;
    }

    private static object? ReadValue(JsonElement value, string? edmType)
    {
        switch (edmType)
        {
            case "Edm.Int64":
                return long.Parse(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText(), CultureInfo.InvariantCulture);
            case "Edm.Int32":
                return value.ValueKind == JsonValueKind.String ? int.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt32();
            case "Edm.Double":
                return value.ValueKind == JsonValueKind.String ? ParseDouble(value.GetString()!) : value.GetDouble();
            case "Edm.DateTime":
                return ParseDate(value.GetString());
            case "Edm.Guid":
                return Guid.Parse(value.GetString()!);
            case "Edm.Binary":
                return value.GetBytesFromBase64();
            case "Edm.Boolean":
                return value.ValueKind == JsonValueKind.String ? bool.Parse(value.GetString()!) : value.GetBoolean();
            case "Edm.String":
                return value.GetString();
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => null,
            // Without an annotation a number with a fraction or exponent is a Double, otherwise Int32.
            JsonValueKind.Number => IsIntegral(value) && value.TryGetInt32(out var i) ? (object)i : value.GetDouble(),
            _ => value.GetRawText(),
        };
    }

    private static bool IsIntegral(JsonElement number) => number.GetRawText().AsSpan().IndexOfAny(".eE") < 0;

    private static double ParseDouble(string text) => text switch
    {
        "NaN" => double.NaN,
        "Infinity" or "INF" => double.PositiveInfinity,
        "-Infinity" or "-INF" => double.NegativeInfinity,
        _ => double.Parse(text, CultureInfo.InvariantCulture),
    };

    private static DateTimeOffset? ParseDate(string? text) =>
        text is null ? null : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
