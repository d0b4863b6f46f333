using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace DbxSync.Functions.Api.Problems;

/// <summary>
/// Writes RFC 7807 bodies as ASP.NET Core's <see cref="ProblemDetails"/> (type, title, status, detail, instance, then
/// trace_id and the offending field as extensions). Never includes exception text beyond the detail chosen by the caller.
/// </summary>
public static class ProblemWriter
{
    public const string ContentType = "application/problem+json";

    public static async Task WriteAsync(HttpContext context, ProblemType type, string detail, string? field = null)
    {
        context.Response.StatusCode = type.Status;
        context.Response.ContentType = ContentType;
        await JsonSerializer.SerializeAsync(context.Response.Body, Body(context, type, detail, field), JsonOptions, context.RequestAborted);
    }

    public static ProblemDetails Body(HttpContext context, ProblemType type, string detail, string? field)
    {
        var body = new ProblemDetails { Type = type.Uri, Title = type.Title, Status = type.Status, Detail = detail, Instance = context.Request.Path.Value };
        body.Extensions["trace_id"] = context.TraceIdentifier;
        if (field is not null) body.Extensions["field"] = field;
        return body;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { DictionaryKeyPolicy = null };
}
