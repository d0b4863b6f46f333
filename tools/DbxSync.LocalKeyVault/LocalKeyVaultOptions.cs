using Microsoft.Extensions.Logging;

namespace DbxSync.LocalKeyVault;

/// <summary>How a local, Key Vault-compatible endpoint is started. For local development and tests only.</summary>
public sealed class LocalKeyVaultOptions
{
    /// <summary>TCP port to listen on; 0 picks a free port (the chosen one is reported by <see cref="LocalKeyVaultServer.VaultUri"/>).</summary>
    public int Port { get; set; }

    /// <summary>Address to bind: an IP address or "localhost". Loopback by default so the dev vault is never reachable from the network.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The only bearer token the endpoint accepts (a static dev token, compared in constant time).</summary>
    public string AcceptedToken { get; set; } = "";

    /// <summary>Tenant named in the 401 challenge; SecretClient requires a tenant in the authorization URI.</summary>
    public string TenantId { get; set; } = "00000000-0000-0000-0000-000000000000";

    /// <summary>Where to write the server certificate (public part, PEM) so clients can trust exactly it.</summary>
    public string? CertificateOutputPath { get; set; }

    /// <summary>
    /// A PFX to reuse across restarts. When the file does not exist, a new self-signed certificate is
    /// generated and saved there, so clients that pinned the thumbprint keep working after a restart.
    /// </summary>
    public string? CertificatePfxPath { get; set; }

    public string? CertificatePfxPassword { get; set; }

    /// <summary>Persist secrets to this JSON file (plain text: development only). Null keeps everything in memory.</summary>
    public string? DataFilePath { get; set; }

    /// <summary>Soft-delete retention reported as recoverableDays and used for scheduledPurgeDate.</summary>
    public int RecoverableDays { get; set; } = 90;

    /// <summary>False simulates purge protection: purge answers 403, as a protected vault would.</summary>
    public bool PurgeAllowed { get; set; } = true;

    /// <summary>Adds logging providers. Without it the endpoint logs nothing.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; set; }

    /// <summary>Clock for created/updated/deleted times; replaceable in tests.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
