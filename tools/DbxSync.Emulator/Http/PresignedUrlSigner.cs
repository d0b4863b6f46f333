using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DbxSync.Emulator.Http;

/// <summary>
/// Stand-in for cloud-storage presigned URLs (S3 presigned, Azure SAS): the URL itself is the credential, an HMAC
/// over the resource and the expiry with a per-instance key. Requests to such URLs are answered the way object
/// storage answers them: outside /api/, no Databricks token accepted, S3-style XML errors (the SDKs recognise
/// "AccessDenied / Request has expired" as an expired link: databricks-sdk-py mixins/files.py _is_url_expired_response).
/// </summary>
public sealed class PresignedUrlSigner(TimeProvider time)
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>The query string ("exp=...&amp;sig=...") that authorises <paramref name="resource"/> until <paramref name="expiration"/> (whole seconds).</summary>
    public string QueryFor(string resource, DateTimeOffset expiration)
    {
        var expires = expiration.ToUnixTimeSeconds();
        return $"exp={expires.ToString(CultureInfo.InvariantCulture)}&sig={Sign(resource, expires)}";
    }

    /// <summary>Null when the request carries a valid, unexpired signature for <paramref name="resource"/>; otherwise the storage-style error.</summary>
    public IResult? Check(HttpContext context, string resource)
    {
        if (context.Request.Headers.ContainsKey("Authorization"))
            return StorageError(400, "InvalidArgument",
                "Only one auth mechanism allowed; only the presigned query string is supported, remove the Authorization header.");

        var query = context.Request.Query;
        if (!long.TryParse(query["exp"], NumberStyles.None, CultureInfo.InvariantCulture, out var expires) || string.IsNullOrEmpty(query["sig"])
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(resource, expires)), Encoding.ASCII.GetBytes(query["sig"].ToString())))
            return StorageError(403, "AccessDenied", "Signature does not match.");
        if (time.GetUtcNow().ToUnixTimeSeconds() >= expires)
            return StorageError(403, "AccessDenied", "Request has expired");
        return null;
    }

    public static IResult StorageError(int status, string code, string message) =>
        Results.Text($"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>", "application/xml", statusCode: status);

    private string Sign(string resource, long expires) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{resource}\n{expires.ToString(CultureInfo.InvariantCulture)}")));
}
