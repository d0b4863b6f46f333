using System.Text.Json;
using DbxSync.FunctionsHost.Rpc;
using Google.Protobuf;

namespace DbxSync.FunctionsHost.Worker;

/// <summary>
/// Trigger payloads encoded as the real host encodes them: strings as `string`, every other value (numbers, dates,
/// objects) as `json` (the host serialises them with Newtonsoft defaults: PascalCase, ISO 8601 dates with offset).
/// </summary>
public static class TypedDataFactory
{
    private static readonly JsonSerializerOptions Pascal = new() { PropertyNamingPolicy = null };

    public static TypedData String(string value) => new() { String = value };

    public static TypedData Json(object? value) => new() { Json = JsonSerializer.Serialize(value, Pascal) };

    public static TypedData Bytes(ReadOnlyMemory<byte> value) => new() { Bytes = ByteString.CopyFrom(value.Span) };

    /// <summary>A reference the worker's SDK-type converter resolves itself (deferred binding).</summary>
    public static TypedData ModelBindingData(string source, object content) => new()
    {
        ModelBindingData = new ModelBindingData
        {
            Version = "1.0",
            Source = source,
            ContentType = "application/json",
            Content = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(content, Pascal)),
        },
    };

    /// <summary>Each top-level non-array property of a JSON object body, as the host adds them to trigger metadata.</summary>
    public static void AddJsonProperties(IDictionary<string, TypedData> metadata, string text)
    {
        if (!text.TrimStart().StartsWith('{'))
            return;
        try
        {
            using var document = JsonDocument.Parse(text);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (metadata.ContainsKey(property.Name))
                    continue;
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.String:
                        metadata[property.Name] = String(property.Value.GetString()!);
                        break;
                    case JsonValueKind.Array:
                        break;
                    default:
                        metadata[property.Name] = new TypedData { Json = property.Value.GetRawText() };
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON after all: the message is still delivered, only without the extra binding data.
        }
    }
}
