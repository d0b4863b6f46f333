using System.Net.Security;
using System.Security.Cryptography;
using System.Text.Json;

namespace DbxSync.Emulator.Entra;

/// <summary>
/// The authority's JWKS ({authority}/common/discovery/v2.0/keys), fetched on first use and again when a token names
/// a key id it does not know (Entra rolls its keys), at most once a minute.
/// </summary>
public sealed class EntraSigningKeys : IDisposable
{
    private readonly EntraOptions _options;
    private readonly HttpClient? _http;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Dictionary<string, RSA> _keys = new(StringComparer.Ordinal);
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;

    public EntraSigningKeys(EntraOptions options)
    {
        _options = options;
        if (options.Authority is null)
            return;
        var pinned = options.AuthorityCertificate?.GetCertHash(HashAlgorithmName.SHA256);
        var handler = new SocketsHttpHandler();
        if (pinned is not null)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, errors) =>
                errors == SslPolicyErrors.None
                || (presented is not null && CryptographicOperations.FixedTimeEquals(presented.GetCertHash(HashAlgorithmName.SHA256), pinned));
        _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task<RSA?> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        if (_http is null)
            return null;
        if (_keys.TryGetValue(keyId, out var key))
            return key;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_keys.TryGetValue(keyId, out key))
                return key;
            if (DateTimeOffset.UtcNow - _fetchedAt < TimeSpan.FromMinutes(1) && _keys.Count > 0)
                return null;
            var document = await _http.GetStringAsync(new Uri(_options.Authority!, "common/discovery/v2.0/keys"), cancellationToken);
            _keys = Parse(document);
            _fetchedAt = DateTimeOffset.UtcNow;
            return _keys.GetValueOrDefault(keyId);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static Dictionary<string, RSA> Parse(string jwks)
    {
        using var doc = JsonDocument.Parse(jwks);
        var keys = new Dictionary<string, RSA>(StringComparer.Ordinal);
        foreach (var k in doc.RootElement.GetProperty("keys").EnumerateArray())
        {
            if (k.GetProperty("kty").GetString() != "RSA") continue;
            var rsa = RSA.Create();
            rsa.ImportParameters(new RSAParameters
            {
                Modulus = Base64UrlDecode(k.GetProperty("n").GetString()!),
                Exponent = Base64UrlDecode(k.GetProperty("e").GetString()!),
            });
            keys[k.GetProperty("kid").GetString()!] = rsa;
        }
        return keys;
    }

    public static byte[] Base64UrlDecode(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b.PadRight(b.Length + (4 - b.Length % 4) % 4, '='));
    }

    public void Dispose()
    {
        _http?.Dispose();
        foreach (var k in _keys.Values) k.Dispose();
    }
}
