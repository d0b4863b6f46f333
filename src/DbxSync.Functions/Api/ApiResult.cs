using System.Text.Json;
using DbxSync.Functions.Api.Json;
using Microsoft.AspNetCore.Mvc;

namespace DbxSync.Functions.Api;

/// <summary>A management API answer: snake_case JSON (ApiJson), a status, optionally Location and ETag.</summary>
public sealed class ApiResult(int status, object? body, string? location = null, string? storeETag = null) : IActionResult
{
    public static ApiResult Ok(object body, string? storeETag = null) => new(200, body, storeETag: storeETag);
    public static ApiResult Created(string location, object body, string? storeETag = null) => new(201, body, location, storeETag);
    public static ApiResult Accepted(string location, object body) => new(202, body, location);
    public static ApiResult NoContent() => new(204, null);

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = status;
        if (location is not null) response.Headers.Location = location;
        ETags.Set(response, storeETag);
        if (body is null) return;
        response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(response.Body, body, body.GetType(), ApiJson.Options, context.HttpContext.RequestAborted);
    }
}
