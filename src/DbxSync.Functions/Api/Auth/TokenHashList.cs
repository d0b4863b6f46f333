using System.Security.Cryptography;
using System.Text;

namespace DbxSync.Functions.Api.Auth;

/// <summary>Configured token hashes. Only hashes are kept so a leaked configuration does not leak usable tokens.</summary>
public sealed class TokenHashList
{
    private readonly byte[][] _hashes;

    public TokenHashList(string? commaSeparatedHexHashes)
    {
        _hashes = (commaSeparatedHexHashes ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(h => h.Length == 64 && h.All(Uri.IsHexDigit)
                ? Convert.FromHexString(h)
                : throw new InvalidOperationException("A configured API token hash is not 64 hex characters (SHA-256)."))
            .ToArray();
    }

    public int Count => _hashes.Length;

    public bool Contains(string token)
    {
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        var found = false;
        // Compare with every entry so timing does not reveal which (or whether an early) entry matched.
        foreach (var hash in _hashes)
            found |= CryptographicOperations.FixedTimeEquals(presented, hash);
        return found;
    }

    public static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
