using System.Text.Json.Serialization;

namespace DbxSync.Emulator.Http;

/// <summary>The platform-wide error body for non-2xx responses: {error_code, message, details?}.</summary>
public static class ErrorEnvelope
{
    public const string FilesDomain = "filesystem.databricks.com";

    public sealed record Body(
        [property: JsonPropertyName("error_code")] object ErrorCode,
        [property: JsonPropertyName("message")] string Message,
        [property: JsonPropertyName("details")] IReadOnlyList<object>? Details = null);

    public sealed record ErrorInfo(
        [property: JsonPropertyName("@type")] string Type,
        [property: JsonPropertyName("reason")] string Reason,
        [property: JsonPropertyName("domain")] string Domain,
        [property: JsonPropertyName("metadata")] IReadOnlyDictionary<string, string>? Metadata = null);

    public static ErrorInfo Reason(string reason, string domain = FilesDomain) =>
        new("type.googleapis.com/google.rpc.ErrorInfo", reason, domain);

    public static IResult Result(int status, string errorCode, string message, params object[] details) =>
        Results.Json(new Body(errorCode, message, details.Length == 0 ? null : details), EmulatorJson.Options, statusCode: status);

    public static Task WriteAsync(HttpContext context, int status, string errorCode, string message, params object[] details)
    {
        context.Response.StatusCode = status;
        // HEAD answers never carry a body; clients decide on the status alone.
        if (HttpMethods.IsHead(context.Request.Method))
            return Task.CompletedTask;
        return context.Response.WriteAsJsonAsync(new Body(errorCode, message, details.Length == 0 ? null : details), EmulatorJson.Options);
    }

    /// <summary>Gateway auth failures carry the HTTP status as a numeric error_code.</summary>
    public static Task WriteGatewayAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["x-databricks-reason-phrase"] = message;
        if (HttpMethods.IsHead(context.Request.Method))
            return Task.CompletedTask;
        return context.Response.WriteAsJsonAsync(new Body(status, message), EmulatorJson.Options);
    }

    public static IResult BadRequest(string message) => Result(400, "INVALID_PARAMETER_VALUE", message);
    public static IResult NotFound(string errorCode, string message) => Result(404, errorCode, message);
}
