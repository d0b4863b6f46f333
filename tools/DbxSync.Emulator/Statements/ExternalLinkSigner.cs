using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DbxSync.Emulator.Statements;

/// <summary>
/// Presigned-URL stand-in: the link itself is the credential (HMAC over statement, chunk and expiry with a
/// per-instance key), so clients must download it without their Databricks token, as with S3 or SAS links.
/// </summary>
public sealed class ExternalLinkSigner(TimeProvider time)
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public (string Url, DateTimeOffset Expiration) CreateLink(string origin, string statementId, int chunkIndex, TimeSpan lifetime)
    {
        var expiration = time.GetUtcNow() + lifetime;
        var expires = expiration.ToUnixTimeSeconds();
        var url = $"{origin}/external/results/{statementId}/{chunkIndex.ToString(CultureInfo.InvariantCulture)}" +
                  $"?exp={expires.ToString(CultureInfo.InvariantCulture)}&sig={Sign(statementId, chunkIndex, expires)}";
        return (url, DateTimeOffset.FromUnixTimeSeconds(expires));
    }

    public bool IsAuthentic(string statementId, int chunkIndex, long expires, string signature) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Sign(statementId, chunkIndex, expires)), Encoding.ASCII.GetBytes(signature));

    public bool IsExpired(long expires) => time.GetUtcNow().ToUnixTimeSeconds() >= expires;

    private string Sign(string statementId, int chunkIndex, long expires) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{statementId}/{chunkIndex}/{expires}")));
}
