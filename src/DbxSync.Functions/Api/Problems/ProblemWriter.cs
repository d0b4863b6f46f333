using System.Text.Json;

namespace DbxSync.Functions.Api.Problems;

/// <summary>Writes RFC 7807 bodies. Never includes exception text beyond the detail chosen by the caller.</summary>
public static class ProblemWriter
{
    public const string ContentType = "application/problem+json";

    public static async Task WriteAsync(HttpContext context, ProblemType type, string detail, string? field = null)
    {
        context.Response.StatusCode = type.Status;
        context.Response.ContentType = ContentType;
        await JsonSerializer.SerializeAsync(context.Response.Body, Body(context, type, detail, field), JsonOptions, context.RequestAborted);
    }

    public static Dictionary<string, object?> Body(HttpContext context, ProblemType type, string detail, string? field)
    {
        var body = new Dictionary<string, object?>
        {
            ["type"] = type.Uri,
            ["title"] = type.Title,
            ["status"] = type.Status,
            ["detail"] = detail,
            ["instance"] = context.Request.Path.Value,
            ["trace_id"] = context.TraceIdentifier,
        };
        if (field is not null) body["field"] = field;
        return body;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { DictionaryKeyPolicy = null };
}
