using System.Text;
using System.Text.Json;

namespace DbxSync.Functions.Invocations;

/// <summary>The host's body was not an invocation envelope. Answered 400: retrying the same bytes cannot help.</summary>
public sealed class MalformedEnvelopeException(string message) : Exception(message);

/// <summary>
/// The one tolerant reader of `{"Data":{...},"Metadata":{...}}`. The host JSON-encodes plain strings once more
/// (older hosts every value), and queue messages may arrive base64-encoded, so values are unwrapped until they
/// are the JSON they carry.
/// </summary>
public sealed class InvocationEnvelope
{
    private const int MaxUnwrapDepth = 4;
    private readonly JsonElement _data;
    private readonly JsonElement? _metadata;

    private InvocationEnvelope(JsonElement data, JsonElement? metadata)
    {
        _data = data;
        _metadata = metadata;
    }

    public static async Task<InvocationEnvelope> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new MalformedEnvelopeException($"The invocation body is not JSON ({ex.Message}).");
        }
        var root = document.RootElement.Clone();
        document.Dispose();
        if (root.ValueKind != JsonValueKind.Object)
            throw new MalformedEnvelopeException("The invocation body is not a JSON object.");
        var data = Unwrap(Property(root, "Data") ?? throw new MalformedEnvelopeException("The invocation body has no Data."));
        if (data.ValueKind != JsonValueKind.Object)
            throw new MalformedEnvelopeException("The invocation Data is not an object.");
        var metadata = Property(root, "Metadata") is { } m ? Unwrap(m) : (JsonElement?)null;
        return new InvocationEnvelope(data, metadata);
    }

    /// <summary>An input binding's value, unwrapped; null when absent or JSON null.</summary>
    public JsonElement? Data(string bindingName) => Property(_data, bindingName) is { } v && Unwrap(v) is { ValueKind: not JsonValueKind.Null } u ? u : null;

    /// <summary>A trigger metadata value, unwrapped; null when absent.</summary>
    public JsonElement? Metadata(string name)
        => _metadata is { ValueKind: JsonValueKind.Object } m && Property(m, name) is { } v && Unwrap(v) is { ValueKind: not JsonValueKind.Null } u ? u : null;

    /// <summary>Property names are matched case-insensitively: the host writes PascalCase, hand-made envelopes may not.</summary>
    public static JsonElement? Property(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object) return null;
        if (element.TryGetProperty(name, out var exact)) return exact;
        foreach (var p in element.EnumerateObject())
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) return p.Value;
        return null;
    }

    /// <summary>A string holding JSON (or base64 of JSON) becomes that JSON; anything else is returned as is.</summary>
    public static JsonElement Unwrap(JsonElement value)
    {
        for (var depth = 0; depth < MaxUnwrapDepth && value.ValueKind == JsonValueKind.String; depth++)
        {
            var text = value.GetString()!;
            var trimmed = text.TrimStart();
            if (trimmed.Length > 0 && trimmed[0] is '"' or '{' or '[' && TryParse(text, out var parsed))
                value = parsed;
            else if (TryDecodeBase64Json(trimmed, out var decoded))
                value = decoded;
            else
                break;
        }
        return value;
    }

    private static bool TryDecodeBase64Json(string text, out JsonElement value)
    {
        value = default;
        if (text.Length < 4 || text.Length % 4 != 0) return false;
        var bytes = new byte[text.Length * 3 / 4];
        if (!Convert.TryFromBase64String(text, bytes, out var written)) return false;
        var json = Encoding.UTF8.GetString(bytes, 0, written).TrimStart('\uFEFF').TrimStart();
        // Only JSON containers: a short word that happens to be valid base64 must stay a word.
        return json.Length > 0 && json[0] is '{' or '[' && TryParse(json, out value);
    }

    private static bool TryParse(string text, out JsonElement value)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            value = doc.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            value = default;
            return false;
        }
    }
}
