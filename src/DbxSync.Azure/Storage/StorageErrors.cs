using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Azure;
using Azure.Core;

namespace DbxSync.Azure.Storage;

/// <summary>Turns a failed response into <see cref="StorageRequestFailedException"/>.</summary>
internal static class StorageErrors
{
    private const int MaxErrorBodyBytes = 16 * 1024;

    public static async Task<StorageRequestFailedException> CreateAsync(Request request, Response response, CancellationToken cancellationToken)
    {
        var body = await ReadBoundedAsync(response, cancellationToken).ConfigureAwait(false);
        response.Headers.TryGetValue("x-ms-error-code", out var code);
        var (bodyCode, bodyMessage) = ParseBody(body);
        code ??= bodyCode;
        response.Headers.TryGetValue("x-ms-request-id", out var requestId);

        // Path only: the query may hold a SAS signature or a pop receipt.
        var message = new StringBuilder()
            .Append("Storage request ").Append(request.Method.Method).Append(' ').Append(request.Uri.Path)
            .Append(" failed: ").Append(response.Status).Append(' ').Append(code ?? response.ReasonPhrase);
        if (!string.IsNullOrWhiteSpace(bodyMessage))
            message.Append(". ").Append(FirstLine(bodyMessage));
        if (requestId is not null)
            message.Append(" (request id ").Append(requestId).Append(')');
        return new StorageRequestFailedException(message.ToString(), response.Status, code, requestId);
    }

    private static async Task<string> ReadBoundedAsync(Response response, CancellationToken cancellationToken)
    {
        if (response.ContentStream is null)
            return "";
        var buffer = new byte[MaxErrorBodyBytes];
        var total = 0;
        try
        {
            int read;
            while (total < buffer.Length && (read = await response.ContentStream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
                total += read;
        }
        catch (IOException)
        {
            // The status and header code still describe the failure.
        }
        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static (string? Code, string? Message) ParseBody(string body)
    {
        var trimmed = body.TrimStart('\uFEFF', ' ', '\r', '\n', '\t');
        try
        {
            if (trimmed.StartsWith('<'))
            {
                var root = XDocument.Parse(trimmed).Root;
                // AuthenticationErrorDetail is skipped on purpose: it echoes the signature.
                return (root?.Element("Code")?.Value, root?.Element("Message")?.Value);
            }
            if (trimmed.StartsWith('{'))
            {
                using var doc = JsonDocument.Parse(trimmed);
                var error = doc.RootElement.TryGetProperty("odata.error", out var odata) ? odata
                    : doc.RootElement.TryGetProperty("error", out var plain) ? plain : default;
                if (error.ValueKind != JsonValueKind.Object)
                    return (null, null);
                var code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
                string? message = null;
                if (error.TryGetProperty("message", out var m))
                    message = m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString() : m.ToString();
                return (code, message);
            }
        }
        catch (Exception e) when (e is System.Xml.XmlException or JsonException)
        {
        }
        return (null, null);
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] : line;
    }
}
