using System.Text.Json;
using System.Text.RegularExpressions;
using DbxSync.Functions.Api.Problems;

namespace DbxSync.Functions.Api.Json;

/// <summary>
/// Reads a management request body. Done by hand rather than by minimal-API binding so each way a body can be
/// wrong gets its own precise problem (binding folds oversized bodies into an aborted request).
/// </summary>
public static partial class JsonBody
{
    public const int MaxManagementBodyBytes = 64 * 1024;

    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken) where T : class
    {
        var bytes = await ReadBytesAsync(request, cancellationToken);
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, ApiJson.Options)
                   ?? throw new ApiProblemException(ProblemTypes.MissingBody, "The request body must be a JSON object, not null.");
        }
        catch (JsonException ex)
        {
            throw Classify(ex);
        }
    }

    /// <summary>Parses any JSON object body (for routes that only inspect it).</summary>
    public static async Task<JsonDocument> ReadDocumentAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var bytes = await ReadBytesAsync(request, cancellationToken);
        try { return JsonDocument.Parse(bytes); }
        catch (JsonException ex) { throw Classify(ex); }
    }

    private static async Task<byte[]> ReadBytesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && request.ContentType is null && !request.Headers.TransferEncoding.Any()))
            throw new ApiProblemException(ProblemTypes.MissingBody, "This request needs a JSON body.");
        if (!request.HasJsonContentType())
            throw new ApiProblemException(ProblemTypes.UnsupportedMediaType, $"Send the body as application/json, not '{request.ContentType ?? "(none)"}'.");
        if (request.ContentLength > MaxManagementBodyBytes)
            throw TooLarge();

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxManagementBodyBytes) throw TooLarge();
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge();
        }
        if (buffer.Length == 0)
            throw new ApiProblemException(ProblemTypes.MissingBody, "This request needs a JSON body.");
        return buffer.ToArray();
    }

    private static ApiProblemException TooLarge()
        => new(ProblemTypes.PayloadTooLarge, $"The body is larger than {MaxManagementBodyBytes / 1024} KiB.");

    private static ApiProblemException Classify(JsonException ex)
    {
        var field = FieldFromPath(ex.Path);
        var unmapped = UnmappedPropertyPattern().Match(ex.Message);
        if (unmapped.Success)
        {
            var name = unmapped.Groups["name"].Value;
            var unknownField = field is null ? name : (field.EndsWith(name, StringComparison.Ordinal) ? field : field + "." + name);
            return new ApiProblemException(ProblemTypes.UnknownField, $"Unknown field '{unknownField}'.", unknownField);
        }
        if (ex.Message.Contains("could not be converted", StringComparison.Ordinal) && field is not null)
            return new ApiProblemException(ProblemTypes.InvalidFieldType, $"Field '{field}' has the wrong type ({ExpectedType(ex.Message)}).", field);
        var where = ex.LineNumber is { } line ? $" near line {line + 1}, position {ex.BytePositionInLine + 1}" : "";
        return new ApiProblemException(ProblemTypes.MalformedJson, $"The body is not valid JSON{where}.", field);
    }

    // "$.poll_interval_seconds" -> "poll_interval_seconds"; "$" -> null.
    private static string? FieldFromPath(string? path)
        => path is null || path == "$" ? null : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    // Names the expected JSON kind without leaking .NET type names.
    private static string ExpectedType(string message) => message switch
    {
        _ when message.Contains("System.Int", StringComparison.Ordinal) => "expected an integer",
        _ when message.Contains("System.Boolean", StringComparison.Ordinal) => "expected true or false",
        _ when message.Contains("System.String", StringComparison.Ordinal) => "expected a string",
        _ => "unexpected JSON value",
    };

    [GeneratedRegex("The JSON property '(?<name>[^']*)' could not be mapped")]
    private static partial Regex UnmappedPropertyPattern();
}
