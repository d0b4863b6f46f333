using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DbxSync.LocalKeyVault;

/// <summary>
/// A running local Key Vault-compatible HTTPS endpoint, so the real SecretClient code path runs on a laptop and in
/// tests. Development only: one static token, a self-signed certificate, values in memory or a plain JSON file.
/// </summary>
public sealed class LocalKeyVaultServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalKeyVaultServer(WebApplication app, Uri vaultUri, X509Certificate2 certificate, string acceptedToken)
    {
        _app = app;
        VaultUri = vaultUri;
        Certificate = certificate;
        AcceptedToken = acceptedToken;
    }

    /// <summary>The vault URI to give SecretClient, e.g. https://127.0.0.1:8443/ (with the actual port when 0 was asked).</summary>
    public Uri VaultUri { get; }

    /// <summary>The server certificate; clients trust exactly this one (by thumbprint).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The bearer token the endpoint accepts.</summary>
    public string AcceptedToken { get; }

    public static async Task<LocalKeyVaultServer> StartAsync(LocalKeyVaultOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.AcceptedToken))
            throw new ArgumentException("An accepted token is required: the endpoint never runs without authentication.", nameof(options));
        if (options.Port is < 0 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(options), options.Port, "Port must be 0 (any free port) or 1-65535.");

        var bindAddress = ParseBindAddress(options.Host);
        var certificate = LocalCertificate.LoadOrCreate(options);
        if (options.CertificateOutputPath is { } pemPath)
            LocalCertificate.WritePublicPem(certificate, pemPath);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(LocalKeyVaultServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        options.ConfigureLogging?.Invoke(builder.Logging);
        // The host must not take over Ctrl+C of a test process; the executable handles signals itself.
        builder.Services.AddSingleton<IHostLifetime, PassiveHostLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(bindAddress, options.Port, listen => listen.UseHttps(certificate)));

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DbxSync.LocalKeyVault");
        var api = new SecretsApi(new SecretVault(options), new BearerChallenge(options), options, logger);
        app.Run(api.HandleAsync);

        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address.Replace("[::]", "localhost").Replace("0.0.0.0", "localhost")).Port;
        var vaultHost = bindAddress.Equals(IPAddress.Any) || bindAddress.Equals(IPAddress.IPv6Any) ? "localhost" : options.Host;
        var vaultUri = new UriBuilder("https", vaultHost, port, "/").Uri;
        logger.LogInformation("Local Key Vault started at {VaultUri} (development only)", vaultUri);
        return new LocalKeyVaultServer(app, vaultUri, certificate, options.AcceptedToken);
    }

    /// <summary>Completes when the server stops.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static IPAddress ParseBindAddress(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(host, out var ip) ? ip
        : throw new ArgumentException($"Host must be an IP address or 'localhost', not '{host}'.", nameof(host));

    /// <summary>A host lifetime that neither waits for nor reacts to console signals.</summary>
    private sealed class PassiveHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
