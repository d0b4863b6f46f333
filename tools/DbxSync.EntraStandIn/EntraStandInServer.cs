using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DbxSync.LocalKeyVault;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace DbxSync.EntraStandIn;

/// <summary>
/// A local stand-in for Microsoft Entra ID, so Azure.Identity's real credential classes run offline: per-tenant
/// OpenID metadata and JWKS, the client-credentials token endpoints (v2.0 with scope, v1 with resource) and the App
/// Service managed-identity endpoint (IDENTITY_ENDPOINT / IDENTITY_HEADER, api-version 2019-08-01) that Flex
/// Consumption apps use. Tokens are v1.0 access tokens signed with one RSA key, as Azure Databricks receives them.
/// </summary>
public sealed class EntraStandInServer : IAsyncDisposable
{
    public const string IdentityEndpointPath = "/msi/token";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, AppRegistration> _applications;
    private readonly AccessTokenIssuer _issuer;

    private EntraStandInServer(WebApplication app, Uri authority, X509Certificate2 certificate, EntraStandInState state)
    {
        _app = app;
        Authority = authority;
        Certificate = certificate;
        IdentityHeader = state.IdentityHeader;
        _applications = state.Applications;
        _issuer = state.Issuer;
        State = state;
    }

    /// <summary>The authority host to give Azure.Identity (AuthorityHost), e.g. https://127.0.0.1:8444/.</summary>
    public Uri Authority { get; }

    /// <summary>IDENTITY_ENDPOINT for the app.</summary>
    public Uri IdentityEndpoint => new(Authority, IdentityEndpointPath.TrimStart('/'));

    /// <summary>IDENTITY_HEADER for the app.</summary>
    public string IdentityHeader { get; }

    /// <summary>The TLS certificate; clients trust exactly this one.</summary>
    public X509Certificate2 Certificate { get; }

    public EntraStandInState State { get; }

    public ManagedIdentity? SystemAssignedIdentity => State.SystemAssigned;

    /// <summary>Creates an app registration with a fresh client id and secret in <paramref name="tenantId"/>.</summary>
    public AppRegistration RegisterApplication(string tenantId, string displayName)
    {
        var app = new AppRegistration(tenantId, Guid.NewGuid().ToString(), "stand-in~" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20)), displayName);
        _applications[app.ClientId] = app;
        return app;
    }

    /// <summary>A token straight from the issuer, for tests that need one for a resource DbxSync itself never asks for.</summary>
    public string IssueToken(AppRegistration app, string resource) =>
        _issuer.Issue(app.TenantId, resource, app.ClientId, app.ClientId, State.TokenLifetime).Token;

    public static async Task<EntraStandInServer> StartAsync(EntraStandInOptions options, CancellationToken cancellationToken = default)
    {
        if (!IPAddress.TryParse(options.Host, out var bind))
            throw new ArgumentException($"Host must be an IP address, not '{options.Host}'.", nameof(options));
        var certificate = LocalCertificate.Create(options.Host);
        if (options.CertificateOutputPath is { } pem)
            LocalCertificate.WritePublicPem(certificate, pem);

        var state = new EntraStandInState(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(EntraStandInServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(bind, options.Port, listen => listen.UseHttps(certificate)));
        builder.Services.AddSingleton(state);

        var app = builder.Build();
        app.MapEntraEndpoints();
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var authority = new UriBuilder("https", options.Host, new Uri(address).Port, "/").Uri;
        return new EntraStandInServer(app, authority, certificate, state);
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _issuer.Dispose();
    }
}

/// <summary>What the endpoints share: registrations, identities and the signing key.</summary>
public sealed class EntraStandInState(EntraStandInOptions options)
{
    public ConcurrentDictionary<string, AppRegistration> Applications { get; } =
        new(options.Applications.ToDictionary(a => a.ClientId, StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);

    public ManagedIdentity? SystemAssigned { get; } = options.SystemAssignedIdentity;
    public IReadOnlyList<ManagedIdentity> UserAssigned { get; } = options.UserAssignedIdentities;
    public string IdentityHeader { get; } = options.IdentityHeader is { Length: > 0 } h ? h : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    public AccessTokenIssuer Issuer { get; } = new(options.TimeProvider);

    /// <summary>Tokens the managed-identity endpoint handed out: shows a caller went through IDENTITY_ENDPOINT.</summary>
    public int ManagedIdentityTokenCount => _managedIdentityTokens;
    private int _managedIdentityTokens;
    internal void CountManagedIdentityToken() => Interlocked.Increment(ref _managedIdentityTokens);
    public TimeSpan TokenLifetime { get; } = options.TokenLifetime;
    public TimeProvider Time { get; } = options.TimeProvider;
}
