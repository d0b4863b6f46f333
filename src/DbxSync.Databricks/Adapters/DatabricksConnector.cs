using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Databricks.Auth;
using DbxSync.Databricks.Http;

namespace DbxSync.Databricks.Adapters;

/// <summary>
/// Opens workspace sessions over one shared connection pool. Validates the URL before anything is sent and
/// keeps one token provider per WorkspaceCredentials.CacheKey, so every session of a principal shares its token.
/// </summary>
public sealed class DatabricksConnector : IDatabricksConnector, IDisposable
{
    private readonly DatabricksClientOptions _options;
    private readonly DatabricksTransport _transport;
    private readonly WorkspaceUrlValidator _validator;
    private readonly ConcurrentDictionary<string, (string Fingerprint, TokenProvider Provider)> _tokenProviders = new();

    public DatabricksConnector(DatabricksClientOptions? options = null)
    {
        _options = options ?? DatabricksClientOptions.FromEnvironment();
        _transport = new DatabricksTransport(_options);
        _validator = new WorkspaceUrlValidator(_options.AllowedWorkspaceHosts);
    }

    public Uri ValidateWorkspaceUrl(string workspaceUrl)
    {
        try { return _validator.Validate(workspaceUrl); }
        catch (DatabricksRequestFailedException e) { throw WorkspaceExceptionTranslator.Translate(e); }
    }

    public IDatabricksWorkspace Connect(WorkspaceCredentials credentials) => new DatabricksWorkspace(CreateClient(credentials));

    /// <summary>The client itself, for callers that want the richer API (pages, cancel, exceptions with RequestId).</summary>
    public DatabricksWorkspaceClient CreateClient(WorkspaceCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var baseUri = ValidateWorkspaceUrl(credentials.WorkspaceUrl);
        return new DatabricksWorkspaceClient(baseUri, TokensFor(credentials, baseUri), _transport);
    }

    private TokenProvider TokensFor(WorkspaceCredentials credentials, Uri baseUri)
    {
        if (string.IsNullOrEmpty(credentials.Secret) && credentials.AuthType != WorkspaceAuthType.ManagedIdentity)
            throw new WorkspaceException(WorkspaceErrorKind.InvalidCredentials, $"No secret was given for {credentials}.");
        if (credentials.AuthType is WorkspaceAuthType.OAuthM2M or WorkspaceAuthType.EntraClientSecret && string.IsNullOrWhiteSpace(credentials.ClientId))
            throw new WorkspaceException(WorkspaceErrorKind.InvalidCredentials, $"{credentials.AuthType} needs a client id ({credentials}).");

        // A rotated secret or a moved workspace under the same cache key must not keep serving the old token.
        var fingerprint = Fingerprint(credentials, baseUri);
        var key = string.IsNullOrEmpty(credentials.CacheKey) ? fingerprint : credentials.CacheKey;
        var entry = _tokenProviders.AddOrUpdate(key,
            _ => (fingerprint, NewProvider(credentials, baseUri)),
            (_, existing) => existing.Fingerprint == fingerprint ? existing : (fingerprint, NewProvider(credentials, baseUri)));
        return entry.Provider;
    }

    public void Release(string cacheKey) => _tokenProviders.TryRemove(cacheKey, out _);

    /// <summary>Cache keys that hold a token provider (and so a secret) now: what Release must leave empty.</summary>
    public IReadOnlyCollection<string> CachedCredentialKeys => _tokenProviders.Keys.ToList();

    private TokenProvider NewProvider(WorkspaceCredentials credentials, Uri baseUri) => credentials.AuthType switch
    {
        WorkspaceAuthType.OAuthM2M => new OAuthM2MTokenProvider(baseUri, credentials.ClientId!, credentials.Secret, _transport.Anonymous, _validator, _options.TimeProvider, _options.TokenRefreshMargin),
        WorkspaceAuthType.EntraClientSecret => new EntraTokenProvider(
            async ct => EntraCredentials.ClientSecret(
                credentials.TenantId ?? await AzureTenantDiscovery.FindTenantAsync(baseUri, _transport.Anonymous, ct).ConfigureAwait(false),
                credentials.ClientId!, credentials.Secret, _options),
            $"Entra client '{credentials.ClientId}'", credentials.AzureWorkspaceResourceId, _options.TimeProvider, _options.TokenRefreshMargin),
        WorkspaceAuthType.ManagedIdentity => new EntraTokenProvider(
            _ => Task.FromResult(EntraCredentials.ManagedIdentity(credentials.ClientId, _options)),
            credentials.ClientId is null ? "the app's managed identity" : $"managed identity '{credentials.ClientId}'",
            credentials.AzureWorkspaceResourceId, _options.TimeProvider, _options.TokenRefreshMargin),
        _ => new PersonalAccessTokenProvider(credentials.Secret),
    };

    private static string Fingerprint(WorkspaceCredentials c, Uri baseUri) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{c.AuthType}\n{baseUri}\n{c.ClientId}\n{c.Secret}\n{c.TenantId}\n{c.AzureWorkspaceResourceId}")));

    public void Dispose() => _transport.Dispose();
}
