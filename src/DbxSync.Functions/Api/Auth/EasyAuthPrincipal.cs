using System.Text;
using System.Text.Json;

namespace DbxSync.Functions.Api.Auth;

/// <summary>
/// Who App Service Authentication signed in, from the headers it injects (and strips from client requests):
/// X-MS-CLIENT-PRINCIPAL-ID (the object id) and X-MS-CLIENT-PRINCIPAL (base64 JSON with the token's claims,
/// where appid/azp name the calling application).
/// </summary>
public sealed record EasyAuthPrincipal(string? ObjectId, string? ApplicationId)
{
    private const string ObjectIdClaim = "http://schemas.microsoft.com/identity/claims/objectidentifier";

    public static EasyAuthPrincipal? From(HttpRequest request)
    {
        var objectId = request.Headers["X-MS-CLIENT-PRINCIPAL-ID"].ToString();
        string? applicationId = null;
        if (request.Headers["X-MS-CLIENT-PRINCIPAL"].ToString() is { Length: > 0 } encoded)
        {
            try
            {
                using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)));
                if (doc.RootElement.TryGetProperty("claims", out var claims) && claims.ValueKind == JsonValueKind.Array)
                    foreach (var claim in claims.EnumerateArray())
                    {
                        var type = claim.TryGetProperty("typ", out var t) ? t.GetString() : null;
                        var value = claim.TryGetProperty("val", out var v) ? v.GetString() : null;
                        if (type is "appid" or "azp") applicationId ??= value;
                        else if ((type is "oid" or ObjectIdClaim) && string.IsNullOrEmpty(objectId)) objectId = value;
                    }
            }
            catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
            {
                return null;
            }
        }
        return string.IsNullOrWhiteSpace(objectId) && applicationId is null ? null : new EasyAuthPrincipal(NullIfEmpty(objectId), applicationId);
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
