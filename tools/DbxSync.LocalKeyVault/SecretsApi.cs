using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DbxSync.LocalKeyVault;

/// <summary>
/// Routes Key Vault secret requests to the vault. Paths are matched by segment (case-insensitively, trailing
/// slash ignored) because SecretClient builds some paths as "/secrets/{name}/" with an empty version.
/// Logs names and operations only — never values, never tokens.
/// </summary>
internal sealed class SecretsApi(SecretVault vault, BearerChallenge challenge, LocalKeyVaultOptions options, ILogger logger)
{
    private const int MaxPageSize = 25;

    // Write "Recoverable+Purgeable" as the service does, not "\u002B"; responses are JSON for API clients, never HTML.
    private static readonly JsonSerializerOptions ResponseJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        try
        {
            var auth = challenge.Check(request);
            if (auth != BearerChallenge.Outcome.Accepted)
            {
                // The SDK's unauthenticated first request is normal; only a wrong token is worth a warning.
                if (auth == BearerChallenge.Outcome.WrongToken)
                    logger.LogWarning("Rejected {Method} {Path}: wrong bearer token", request.Method, request.Path);
                throw challenge.Reject(context.Response, auth);
            }

            var format = new SecretWireFormat($"https://{request.Host}", options);
            var segments = (request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
            var result = await DispatchAsync(request, segments, format);
            if (result is null)
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }
            await WriteJsonAsync(context.Response, 200, result);
        }
        catch (VaultError error)
        {
            if (error.Status != 401)
                logger.LogInformation("{Method} {Path} -> {Status} {Code}", request.Method, request.Path, error.Status, error.InnerCode ?? error.Code);
            await WriteJsonAsync(context.Response, error.Status, SecretWireFormat.Error(error));
        }
    }

    private async Task<JsonObject?> DispatchAsync(HttpRequest request, string[] segments, SecretWireFormat format)
    {
        var collection = segments.Length > 0 ? segments[0].ToLowerInvariant() : "";
        var method = request.Method.ToUpperInvariant();
        var name = segments.Length > 1 ? segments[1] : null;
        var third = segments.Length > 2 ? segments[2] : null;

        switch (collection, method, segments.Length)
        {
            case ("secrets", "GET", 1):
                return Page(vault.ListSecrets(), s => format.Item(s, withVersion: false), request, format);

            case ("secrets", "PUT", 2):
            {
                var (value, changes) = SecretWireFormat.ParseRequest(await ReadBodyAsync(request));
                if (value is null) throw VaultError.BadParameter("The parameter 'value' is required.");
                var stored = vault.Set(name!, value, changes);
                logger.LogInformation("Set secret {SecretName} version {Version}", stored.Name, stored.Version.Version);
                return format.Bundle(stored);
            }

            case ("secrets", "GET", 2):
                return format.Bundle(vault.Get(name!, null));

            case ("secrets", "DELETE", 2):
            {
                var deleted = vault.Delete(name!);
                logger.LogInformation("Deleted secret {SecretName} (soft delete)", deleted.Name);
                return format.DeletedBundle(deleted);
            }

            case ("secrets", "PATCH", 2 or 3):
            {
                var (_, changes) = SecretWireFormat.ParseRequest(await ReadBodyAsync(request));
                var updated = vault.Update(name!, third, changes);
                logger.LogInformation("Updated attributes of secret {SecretName} version {Version}", updated.Name, updated.Version.Version);
                return format.Bundle(updated);
            }

            case ("secrets", "GET", 3) when string.Equals(third, "versions", StringComparison.OrdinalIgnoreCase):
                return Page(vault.ListVersions(name!), s => format.Item(s, withVersion: true), request, format);

            case ("secrets", "GET", 3):
                return format.Bundle(vault.Get(name!, third));

            case ("deletedsecrets", "GET", 1):
                return Page(vault.ListDeleted(), s => format.Item(s, withVersion: false), request, format);

            case ("deletedsecrets", "GET", 2):
                return format.DeletedBundle(vault.GetDeleted(name!));

            case ("deletedsecrets", "DELETE", 2):
                vault.Purge(name!);
                logger.LogInformation("Purged secret {SecretName}", name);
                return null;

            case ("deletedsecrets", "POST", 3) when string.Equals(third, "recover", StringComparison.OrdinalIgnoreCase):
            {
                var recovered = vault.Recover(name!);
                logger.LogInformation("Recovered secret {SecretName}", recovered.Name);
                return format.Bundle(recovered);
            }

            default:
                throw new VaultError(400, "BadParameter", $"The operation {method} {request.Path} is not supported by this local vault.");
        }
    }

    /// <summary>Pages with maxresults and an absolute nextLink carrying the offset, as the service does.</summary>
    private static JsonObject Page(IReadOnlyList<SnapshotVersion> all, Func<SnapshotVersion, JsonObject> render, HttpRequest request, SecretWireFormat format)
    {
        var pageSize = MaxPageSize;
        if (request.Query.TryGetValue("maxresults", out var max) && max.Count > 0)
        {
            if (!int.TryParse(max[0], NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxPageSize)
                throw VaultError.BadParameter($"maxresults must be between 1 and {MaxPageSize}.");
        }
        var offset = 0;
        if (request.Query.TryGetValue("$skiptoken", out var skip) && skip.Count > 0
            && (!int.TryParse(skip[0], NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset < 0))
            throw VaultError.BadParameter("Invalid $skiptoken.");

        var page = all.Skip(offset).Take(pageSize).Select(render);
        string? nextLink = null;
        if (offset + pageSize < all.Count)
        {
            var apiVersion = request.Query["api-version"].FirstOrDefault() ?? "7.4";
            nextLink = $"https://{request.Host}{request.Path}?api-version={Uri.EscapeDataString(apiVersion)}&$skiptoken={offset + pageSize}&maxresults={pageSize}";
        }
        return format.Page(page, nextLink);
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        return await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
    }

    private static async Task WriteJsonAsync(HttpResponse response, int status, JsonObject body)
    {
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        await response.WriteAsync(body.ToJsonString(ResponseJson), response.HttpContext.RequestAborted);
    }
}
