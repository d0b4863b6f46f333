using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace DbxSync.Azure.Secrets;

/// <summary>
/// Maps DbxSync's secret names onto Key Vault names (1-127 of [0-9a-zA-Z-]). Names that are already valid are kept
/// as they are. Others get each invalid character ('.', '_', ...) replaced by '-' plus a short hash of the original
/// name, so the mapping stays deterministic and "a.b" and "a_b" do not end up as the same secret.
/// Key Vault compares names case-insensitively, so names differing only in case still share a secret.
/// </summary>
public static partial class KeyVaultSecretName
{
    public const int MaxLength = 127;
    private const int HashHexLength = 8;

    public static string FromLogicalName(string logicalName)
    {
        ArgumentException.ThrowIfNullOrEmpty(logicalName);
        if (IsValid(logicalName)) return logicalName;

        var replaced = InvalidCharacter().Replace(logicalName, "-");
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(logicalName)))[..HashHexLength];
        var prefixLength = Math.Min(replaced.Length, MaxLength - HashHexLength - 1);
        return $"{replaced[..prefixLength]}-{hash}";
    }

    public static bool IsValid(string name) => ValidName().IsMatch(name);

    [GeneratedRegex("^[0-9a-zA-Z-]{1,127}$")]
    private static partial Regex ValidName();

    [GeneratedRegex("[^0-9a-zA-Z-]")]
    private static partial Regex InvalidCharacter();
}
