using System.Security.Cryptography.X509Certificates;
using Azure.Security.KeyVault.Secrets;
using DbxSync.Azure.Secrets;
using DbxSync.LocalKeyVault;
using Microsoft.Extensions.Logging;

namespace DbxSync.Testing;

/// <summary>
/// One Key Vault-compatible endpoint shared by every test in the process: started in-process on a free port, or an
/// external one when DBXSYNC_TEST_KEYVAULT_URI, DBXSYNC_TEST_KEYVAULT_TOKEN and DBXSYNC_TEST_KEYVAULT_CERT (PEM path)
/// are all set. Tests share it, so each test should use its own secret names.
/// </summary>
public sealed class LocalKeyVaultInstance
{
    public const string UriVariable = "DBXSYNC_TEST_KEYVAULT_URI";
    public const string TokenVariable = "DBXSYNC_TEST_KEYVAULT_TOKEN";
    public const string CertificateVariable = "DBXSYNC_TEST_KEYVAULT_CERT";

    private static readonly Lazy<Task<LocalKeyVaultInstance>> Shared = new(StartSharedAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private LocalKeyVaultInstance(Uri vaultUri, string acceptedToken, X509Certificate2 certificate, bool isExternal)
    {
        VaultUri = vaultUri;
        AcceptedToken = acceptedToken;
        Certificate = certificate;
        IsExternal = isExternal;
    }

    public Uri VaultUri { get; }
    public string AcceptedToken { get; }
    public X509Certificate2 Certificate { get; }
    public bool IsExternal { get; }

    public static Task<LocalKeyVaultInstance> GetAsync() => Shared.Value;

    /// <summary>Options wired for this endpoint: dev token, pinned certificate, no resource verification.</summary>
    public KeyVaultSecretStoreOptions CreateStoreOptions(string? token = null) => new()
    {
        VaultUri = VaultUri,
        Credential = new StaticTokenCredential(token ?? AcceptedToken),
        DisableChallengeResourceVerification = true,
        TrustedServerCertificate = Certificate,
    };

    public KeyVaultSecretStore CreateSecretStore(Action<KeyVaultSecretStoreOptions>? configure = null, ILogger<KeyVaultSecretStore>? logger = null)
    {
        var options = CreateStoreOptions();
        configure?.Invoke(options);
        return new KeyVaultSecretStore(options, logger);
    }

    /// <summary>A raw SecretClient against the same endpoint, for looking behind the store.</summary>
    public SecretClient CreateSecretClient(string? token = null) => new(VaultUri, new StaticTokenCredential(token ?? AcceptedToken), new SecretClientOptions
    {
        DisableChallengeResourceVerification = true,
        Transport = PinnedCertificateTransport.Create(Certificate),
    });

    private static async Task<LocalKeyVaultInstance> StartSharedAsync()
    {
        var uri = Environment.GetEnvironmentVariable(UriVariable);
        var token = Environment.GetEnvironmentVariable(TokenVariable);
        var certificatePath = Environment.GetEnvironmentVariable(CertificateVariable);
        if (!string.IsNullOrEmpty(uri) && !string.IsNullOrEmpty(token) && !string.IsNullOrEmpty(certificatePath))
            return new LocalKeyVaultInstance(new Uri(uri), token, X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath)), isExternal: true);

        var server = await LocalKeyVaultServer.StartAsync(new LocalKeyVaultOptions
        {
            Port = 0,
            AcceptedToken = "test-token-" + Guid.NewGuid().ToString("N"),
        }, CancellationToken.None);
        // Lives as long as the test process; stopping it at exit releases the port promptly.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return new LocalKeyVaultInstance(server.VaultUri, server.AcceptedToken, server.Certificate, isExternal: false);
    }
}
