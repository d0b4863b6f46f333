using System.Text;

namespace DbxSync.StorageFaults;

/// <summary>
/// An injected error as the storage service writes it (https://learn.microsoft.com/rest/api/storageservices/common-rest-api-error-codes,
/// "ServerBusy 503 ... Please retry", "InternalError 500 ... Please retry the request"; the error body of
/// https://learn.microsoft.com/rest/api/storageservices/status-and-error-codes2: XML for Blob and Queue, OData JSON for
/// Table, plus the x-ms-error-code and x-ms-request-id headers). The SDKs retry on the status; the code is what a
/// log shows.
/// </summary>
public static class StorageErrorResponse
{
    public static async Task WriteAsync(HttpContext context, string service, StorageErrorKind kind)
    {
        if (kind == StorageErrorKind.ConnectionReset)
        {
            // Kestrel closes the socket without an answer; the client reads a reset or an unexpected end of stream.
            context.Abort();
            return;
        }
        var (status, code, message) = kind == StorageErrorKind.ServerBusy
            ? (StatusCodes.Status503ServiceUnavailable, "ServerBusy", "The server is currently unable to receive requests. Please retry your request.")
            : (StatusCodes.Status500InternalServerError, "InternalError", "The server encountered an internal error. Please retry the request.");
        var requestId = Guid.NewGuid().ToString();
        message += $"\nRequestId:{requestId}\nTime:{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffffffZ}";
        context.Response.StatusCode = status;
        context.Response.Headers["x-ms-error-code"] = code;
        context.Response.Headers["x-ms-request-id"] = requestId;
        if (service == "table")
        {
            context.Response.ContentType = "application/json;odata=minimalmetadata;streaming=true;charset=utf-8";
            await context.Response.WriteAsJsonAsync(new Dictionary<string, object>
            {
                ["odata.error"] = new { code, message = new { lang = "en-US", value = message } },
            });
            return;
        }
        context.Response.ContentType = "application/xml";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(
            $"""<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>{message}</Message></Error>"""));
    }
}
