namespace DbxSync.Azure.Secrets;

/// <summary>DbxSync:KeyVault. DevToken and TrustedCertificatePath are for the local Key Vault endpoint only.</summary>
public sealed class KeyVaultSettings
{
    public const string Section = "DbxSync:KeyVault";
    public Uri? Uri { get; set; }
    public string? DevToken { get; set; }
    public string? TrustedCertificatePath { get; set; }
}
