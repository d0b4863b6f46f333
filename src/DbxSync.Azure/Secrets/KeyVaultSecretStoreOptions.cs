using System.Security.Cryptography.X509Certificates;
using Azure.Core;

namespace DbxSync.Azure.Secrets;

/// <summary>Where the Key Vault is and how to reach it.</summary>
public sealed class KeyVaultSecretStoreOptions
{
    /// <summary>The vault, e.g. https://my-vault.vault.azure.net/. Must be HTTPS: SecretClient refuses to send tokens over plain HTTP.</summary>
    public Uri? VaultUri { get; set; }

    /// <summary>Identity for Key Vault; null uses DefaultAzureCredential (managed identity in Azure).</summary>
    public TokenCredential? Credential { get; set; }

    /// <summary>
    /// Skip SecretClient's check that the vault host ends with the challenge resource (".vault.azure.net").
    /// Needed only for a local Key Vault-compatible endpoint such as https://127.0.0.1:8443.
    /// </summary>
    public bool DisableChallengeResourceVerification { get; set; }

    /// <summary>
    /// A self-signed server certificate to trust in addition to the system trust store (local endpoint only).
    /// Only this exact certificate is accepted (compared by SHA-256 thumbprint).
    /// </summary>
    public X509Certificate2? TrustedServerCertificate { get; set; }

    /// <summary>How long a read value is reused. Syncs read secrets often; Key Vault throttles per vault. Zero disables caching.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Upper bound for <see cref="KeyVaultSecretStore.CheckHealthAsync"/>, retries included.</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Clock for the cache; replaceable in tests.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
