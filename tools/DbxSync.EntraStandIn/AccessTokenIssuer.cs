using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DbxSync.EntraStandIn;

/// <summary>
/// Signs v1.0 access tokens as Entra ID issues them for resources that take v1 tokens, Azure Databricks among them
/// (Microsoft identity platform "Access token claims reference": iss https://sts.windows.net/{tid}/, aud = the resource
/// asked for, appid, oid, tid, idtyp, ver 1.0), RS256 with a key published as JWKS.
/// Hand-written because it is ten lines of JOSE; a JWT library would add a package to a test tool for nothing.
/// </summary>
public sealed class AccessTokenIssuer : IDisposable
{
    private readonly RSA _key = RSA.Create(2048);
    private readonly TimeProvider _time;

    public AccessTokenIssuer(TimeProvider time)
    {
        _time = time;
        KeyId = Base64Url(SHA256.HashData(_key.ExportSubjectPublicKeyInfo()))[..27];
    }

    public string KeyId { get; }

    public static string IssuerFor(string tenantId) => $"https://sts.windows.net/{tenantId}/";

    public (string Token, DateTimeOffset ExpiresOn) Issue(string tenantId, string resource, string applicationId, string objectId, TimeSpan lifetime)
    {
        var now = _time.GetUtcNow();
        var expires = now + lifetime;
        var header = new Dictionary<string, object> { ["typ"] = "JWT", ["alg"] = "RS256", ["kid"] = KeyId, ["x5t"] = KeyId };
        var claims = new Dictionary<string, object>
        {
            ["aud"] = resource,
            ["iss"] = IssuerFor(tenantId),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["appid"] = applicationId,
            ["appidacr"] = "1",
            ["idp"] = IssuerFor(tenantId),
            ["idtyp"] = "app",
            ["oid"] = objectId,
            ["sub"] = objectId,
            ["tid"] = tenantId,
            ["ver"] = "1.0",
        };
        var signingInput = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return (signingInput + "." + Base64Url(signature), expires);
    }

    /// <summary>The JWKS document ("keys") resource servers fetch to check signatures.</summary>
    public object Jwks()
    {
        var p = _key.ExportParameters(false);
        return new { keys = new[] { new { kty = "RSA", use = "sig", kid = KeyId, x5t = KeyId, n = Base64Url(p.Modulus!), e = Base64Url(p.Exponent!) } } };
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose() => _key.Dispose();
}
