using System.Net;
using System.Text;
using System.Text.Json;
using DbxSync.Core.Errors;

namespace DbxSync.Databricks.Http;

/// <summary>
/// Turns a non-success response into DatabricksRequestFailedException. Understands the platform envelope
/// ({error_code string-or-number, message, details[]}), RFC 6749 token errors ({error, error_description}),
/// the legacy {error} shape, and HTML/empty gateway bodies (falls back to the status text).
/// </summary>
internal static class DatabricksErrorParser
{
    private const int MaxBodyBytes = 64 * 1024;
    public const string InvalidAccessTokenMessage = "Invalid access token.";

    public static async Task<DatabricksRequestFailedException> FromResponseAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var requestId = response.Headers.TryGetValues("x-request-id", out var ids) ? ids.FirstOrDefault() : null;
        var body = await ReadBoundedAsync(response, cancellationToken).ConfigureAwait(false);
        var parsed = ParseBody(body);
        var reasonPhrase = response.Headers.TryGetValues("x-databricks-reason-phrase", out var phrases) ? phrases.FirstOrDefault() : null;
        var message = parsed.Message ?? reasonPhrase ?? response.ReasonPhrase ?? ((HttpStatusCode)status).ToString();
        return Create(status, parsed.ErrorCode, message, parsed.Reason, requestId, operation);
    }

    public static DatabricksRequestFailedException Create(int status, string? errorCode, string message, string? reason, string? requestId, string operation)
    {
        var kind = KindFor(status, errorCode, message);
        var transient = status is 429 or 502 or 503 or 504;
        var text = $"Databricks {operation} failed with HTTP {status}{(errorCode is null ? "" : " " + errorCode)}: {SensitiveText.Redact(message.Trim())}"
                   + (requestId is null ? "" : $" (request id {requestId})");
        return new DatabricksRequestFailedException(kind, text, status, errorCode, reason: reason, requestId: requestId, isTransient: transient);
    }

    public static WorkspaceErrorKind KindFor(int status, string? errorCode, string? message) => status switch
    {
        401 => WorkspaceErrorKind.InvalidCredentials,
        403 when IsInvalidTokenMessage(message) => WorkspaceErrorKind.InvalidCredentials,
        403 => WorkspaceErrorKind.PermissionDenied,
        404 => WorkspaceErrorKind.NotFound,
        409 => WorkspaceErrorKind.Conflict,
        429 => WorkspaceErrorKind.Throttled,
        400 => WorkspaceErrorKind.BadRequest,
        502 or 503 or 504 => WorkspaceErrorKind.Unreachable,
        _ => WorkspaceErrorKind.Other,
    };

    public static bool IsInvalidTokenMessage(string? message) =>
        message is not null && message.Contains("Invalid access token", StringComparison.OrdinalIgnoreCase);

    /// <summary>Buffers a small error body so it can be inspected and parsed later (403 check + parser).</summary>
    public static async Task<string> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content is null) return "";
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[MaxBodyBytes];
            int total = 0, read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
                total += read;
            return Encoding.UTF8.GetString(buffer, 0, total);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            return "";
        }
    }

    internal readonly record struct ParsedError(string? ErrorCode, string? Message, string? Reason);

    internal static ParsedError ParseBody(string body)
    {
        var trimmed = body.TrimStart();
        if (!trimmed.StartsWith('{')) return new ParsedError(null, HtmlOrTextMessage(trimmed), null);
        try
        {
            using var doc = JsonDocument.Parse(trimmed);
            var root = doc.RootElement;
            string? code = null, message = null, reason = null;
            if (root.TryGetProperty("error_code", out var ec))
                code = ec.ValueKind switch { JsonValueKind.String => ec.GetString(), JsonValueKind.Number => ec.GetRawText(), _ => null };
            if (root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String) message = m.GetString();
            if (root.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.String)
            {
                // RFC 6749 ({error, error_description}) or the legacy {"error": "..."}.
                var description = root.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                if (description is not null) { code ??= err.GetString(); message ??= description; }
                else message ??= err.GetString();
            }
            if (root.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
                foreach (var detail in details.EnumerateArray())
                    if (detail.ValueKind == JsonValueKind.Object && detail.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String)
                    { reason = r.GetString(); break; }
            return new ParsedError(code, message, reason);
        }
        catch (JsonException)
        {
            return new ParsedError(null, HtmlOrTextMessage(trimmed), null);
        }
    }

    private static string? HtmlOrTextMessage(string body)
    {
        if (body.Length == 0) return null;
        var pre = body.IndexOf("<pre>", StringComparison.OrdinalIgnoreCase);
        if (pre >= 0)
        {
            var end = body.IndexOf("</pre>", pre, StringComparison.OrdinalIgnoreCase);
            if (end > pre) return body[(pre + 5)..end].Trim();
        }
        if (body.StartsWith('<')) return null;
        return body.Length > 500 ? body[..500] : body;
    }
}
