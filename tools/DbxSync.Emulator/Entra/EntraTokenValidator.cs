using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DbxSync.Emulator.Auth;
using DbxSync.Emulator.Scim;

namespace DbxSync.Emulator.Entra;

/// <summary>Accepted (Principal set) or refused with the gateway's status and message.</summary>
public sealed record EntraOutcome(AuthenticatedPrincipal? Principal, int Status = 0, string? Message = null);

/// <summary>
/// Azure Databricks' acceptance of Microsoft Entra ID access tokens ("Authentication using Microsoft Entra ID tokens",
/// learn.microsoft.com/azure/databricks/dev-tools/auth/...): RS256 signed by Entra, audience the Azure Databricks
/// application id, issuer https://sts.windows.net/{workspace tenant}/, and the caller's application id a service
/// principal of the workspace, unless the management headers show Contributor on the workspace resource.
/// The claim errors are io.jsonwebtoken's, which Azure Databricks answers with HTTP 400:
/// "Expected aud claim to be: 2ff814a6-..., but was: https://management.core.windows.net/." (MicrosoftDocs/azure-docs
/// #83517, #85703) and "Expected iss claim to be: https://sts.windows.net/A/, but was: https://sts.windows.net/B/"
/// (databricks-sdk-py #638, terraform-provider-databricks #4262). A principal not in the workspace gets 403
/// "User not authorized." Bad signatures and expired tokens get 403 "Invalid access token." (assumed, as for PATs).
/// The JWS check is hand-written: it is the same few lines io.jsonwebtoken runs, and the claim errors must be its words.
/// </summary>
public sealed class EntraTokenValidator(EntraOptions options, EntraSigningKeys keys, ScimDirectory directory, TimeProvider time)
{
    public const string ManagementTokenHeader = "X-Databricks-Azure-SP-Management-Token";
    public const string WorkspaceResourceIdHeader = "X-Databricks-Azure-Workspace-Resource-Id";
    private const string Claims = "io.jsonwebtoken.IncorrectClaimException";

    /// <summary>A JWT: three base64url parts, the first a JOSE header ("eyJ" is '{"' encoded).</summary>
    public static bool LooksLikeJwt(string token) => token.StartsWith("eyJ", StringComparison.Ordinal) && token.Count(c => c == '.') == 2;

    public async Task<EntraOutcome> ValidateAsync(string token, HttpRequest request, CancellationToken cancellationToken)
    {
        var claims = await VerifyAsync(token, cancellationToken);
        if (claims is null)
            return Refused(403, "Invalid access token.");
        var expected = $"https://sts.windows.net/{options.TenantId}/";
        if (Text(claims, "aud") is var aud && aud != EntraOptions.AzureDatabricksApplicationId)
            return Refused(400, $"{Claims}: Expected aud claim to be: {EntraOptions.AzureDatabricksApplicationId}, but was: {aud}.");
        if (Text(claims, "iss") is var iss && !string.Equals(iss, expected, StringComparison.OrdinalIgnoreCase))
            return Refused(400, $"{Claims}: Expected iss claim to be: {expected}, but was: {iss}");

        var applicationId = Text(claims, "appid") ?? Text(claims, "azp") ?? "";
        var sp = directory.FindServicePrincipal(applicationId);
        if (sp is null && await ManagementHeadersGrantAsync(request, applicationId, cancellationToken))
            // A Contributor of the workspace resource is added on first use (assumed: as a workspace admin with both entitlements).
            sp = directory.TryAddServicePrincipal(applicationId, applicationId, true, [ScimDirectory.WorkspaceAccess, ScimDirectory.SqlAccess], isAdmin: true)
                 ?? directory.FindServicePrincipal(applicationId);
        if (sp is null || !sp.Active)
            return Refused(403, "User not authorized.");
        return new EntraOutcome(new AuthenticatedPrincipal(sp.Name, true));
    }

    /// <summary>
    /// Both headers are needed; the management token must be a valid Entra token of the same tenant and application for
    /// https://management.core.windows.net/, the resource id this workspace's, and the application a Contributor on it.
    /// </summary>
    private async Task<bool> ManagementHeadersGrantAsync(HttpRequest request, string applicationId, CancellationToken cancellationToken)
    {
        var managementToken = request.Headers[ManagementTokenHeader].ToString();
        var resourceId = request.Headers[WorkspaceResourceIdHeader].ToString();
        if (managementToken.Length == 0 || resourceId.Length == 0)
            return false;
        var claims = await VerifyAsync(managementToken, cancellationToken);
        return claims is not null
               && Text(claims, "aud")?.TrimEnd('/') == EntraOptions.ManagementAudience.TrimEnd('/')
               && string.Equals(Text(claims, "iss"), $"https://sts.windows.net/{options.TenantId}/", StringComparison.OrdinalIgnoreCase)
               && string.Equals(Text(claims, "appid"), applicationId, StringComparison.OrdinalIgnoreCase)
               && string.Equals(resourceId.TrimEnd('/'), options.WorkspaceResourceId, StringComparison.OrdinalIgnoreCase)
               && options.Contributors.ContainsKey(applicationId);
    }

    /// <summary>The claims of a token with a valid RS256 signature from the authority, not expired; otherwise null.</summary>
    private async Task<JsonElement?> VerifyAsync(string token, CancellationToken cancellationToken)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
            return null;
        try
        {
            using var header = JsonDocument.Parse(EntraSigningKeys.Base64UrlDecode(parts[0]));
            if (header.RootElement.GetProperty("alg").GetString() != "RS256")
                return null;
            var key = await keys.FindAsync(header.RootElement.GetProperty("kid").GetString() ?? "", cancellationToken);
            if (key is null || !key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), EntraSigningKeys.Base64UrlDecode(parts[2]),
                    HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
                return null;
            using var payload = JsonDocument.Parse(EntraSigningKeys.Base64UrlDecode(parts[1]));
            var claims = payload.RootElement.Clone();
            var now = time.GetUtcNow().ToUnixTimeSeconds();
            if (!claims.TryGetProperty("exp", out var exp) || exp.GetInt64() <= now)
                return null;
            if (claims.TryGetProperty("nbf", out var nbf) && nbf.GetInt64() > now + 300)
                return null;
            return claims;
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or HttpRequestException or CryptographicException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement? claims, string name) =>
        claims is { } c && c.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static EntraOutcome Refused(int status, string message) => new(null, status, message);
}
