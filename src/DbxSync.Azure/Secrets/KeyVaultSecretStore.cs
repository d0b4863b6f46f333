using Azure;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using DbxSync.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DbxSync.Azure.Secrets;

/// <summary>
/// <see cref="ISecretStore"/> over Azure Key Vault (SecretClient). Logical names are mapped with
/// <see cref="KeyVaultSecretName"/>; values are cached briefly; values never reach logs or exceptions.
/// </summary>
public sealed class KeyVaultSecretStore : ISecretStore, IDisposable
{
    /// <summary>Tag holding the caller's name when it had to be mapped, so operators can find the secret.</summary>
    public const string LogicalNameTag = "dbxsync-name";

    /// <summary>Read by the health check; its absence (404) proves the vault answers and our identity is accepted.</summary>
    public const string HealthProbeSecretName = "dbxsync-health-probe";

    private const int MaxTagValueLength = 256;
    private static readonly TimeSpan DeletionInProgressDelay = TimeSpan.FromSeconds(1);
    private const int DeletionInProgressAttempts = 10;

    private readonly SecretClient _client;
    private readonly HttpClientTransport? _ownedTransport;
    private readonly SecretValueCache _cache;
    private readonly TimeSpan _healthCheckTimeout;
    private readonly ILogger _logger;

    public KeyVaultSecretStore(KeyVaultSecretStoreOptions options, ILogger<KeyVaultSecretStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var vaultUri = options.VaultUri ?? throw new ArgumentException("VaultUri is required.", nameof(options));
        if (vaultUri.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException($"VaultUri must use https (Key Vault tokens are never sent over plain HTTP): {vaultUri}", nameof(options));

        var clientOptions = new SecretClientOptions
        {
            DisableChallengeResourceVerification = options.DisableChallengeResourceVerification,
        };
        // Request and response bodies carry secret values: keep them out of Azure SDK logs whatever a listener asks for.
        clientOptions.Diagnostics.IsLoggingContentEnabled = false;
        if (options.TrustedServerCertificate is not null)
        {
            _ownedTransport = PinnedCertificateTransport.Create(options.TrustedServerCertificate);
            clientOptions.Transport = _ownedTransport;
        }

        _client = new SecretClient(vaultUri, options.Credential ?? new DefaultAzureCredential(), clientOptions);
        _cache = new SecretValueCache(options.CacheDuration, options.TimeProvider);
        _healthCheckTimeout = options.HealthCheckTimeout;
        _logger = logger ?? NullLogger<KeyVaultSecretStore>.Instance;
    }

    public Uri VaultUri => _client.VaultUri;

    public async Task SetSecretAsync(string name, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var vaultName = KeyVaultSecretName.FromLogicalName(name);
        var secret = new KeyVaultSecret(vaultName, value);
        if (!string.Equals(vaultName, name, StringComparison.Ordinal))
            secret.Properties.Tags[LogicalNameTag] = name.Length <= MaxTagValueLength ? name : name[..MaxTagValueLength];

        // Forget the old value first: a set that times out may still have reached the vault.
        _cache.Invalidate(vaultName);
        await CallVaultAsync("set", vaultName, () => SetRecoveringDeletedAsync(secret, cancellationToken));
        _cache.StoreWritten(vaultName, value);
        _logger.LogInformation("Stored secret {SecretName} in Key Vault", vaultName);
    }

    public async Task<string?> GetSecretAsync(string name, CancellationToken cancellationToken = default)
    {
        var vaultName = KeyVaultSecretName.FromLogicalName(name);
        if (_cache.TryGet(vaultName, out var cached))
        {
            _logger.LogDebug("Secret {SecretName} served from cache", vaultName);
            return cached;
        }

        var generation = _cache.Generation;
        string? value = null;
        await CallVaultAsync("read", vaultName, async () =>
        {
            try
            {
                value = (await _client.GetSecretAsync(vaultName, version: null, cancellationToken)).Value.Value;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                _logger.LogDebug("Secret {SecretName} not found in Key Vault", vaultName);
            }
        });
        if (value is not null)
        {
            _cache.StoreRead(vaultName, value, generation);
            _logger.LogDebug("Read secret {SecretName} from Key Vault", vaultName);
        }
        return value;
    }

    public async Task DeleteSecretAsync(string name, CancellationToken cancellationToken = default)
    {
        var vaultName = KeyVaultSecretName.FromLogicalName(name);
        _cache.Invalidate(vaultName);
        await CallVaultAsync("delete", vaultName, async () =>
        {
            try
            {
                var deletion = await _client.StartDeleteSecretAsync(vaultName, cancellationToken);
                // Deletion is eventually consistent: purging before it completes fails with 409.
                await deletion.WaitForCompletionAsync(cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Not live. It may still sit soft-deleted (e.g. an earlier purge was refused); try the purge anyway.
            }
            await PurgeIfAllowedAsync(vaultName, cancellationToken);
        });
        _cache.Invalidate(vaultName);
    }

    public async Task<HealthResult> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_healthCheckTimeout);
        try
        {
            await _client.GetSecretAsync(HealthProbeSecretName, version: null, timeout.Token);
            return HealthResult.Up();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return HealthResult.Up();
        }
        catch (RequestFailedException ex) when (ex.Status == 0)
        {
            // Status 0: no HTTP response at all (DNS, TCP or TLS failure, e.g. an untrusted certificate).
            return HealthResult.Down($"Key Vault unreachable: {ex.InnerException?.Message ?? ex.Message}");
        }
        catch (RequestFailedException ex)
        {
            return HealthResult.Down($"Key Vault answered {ex.Status} {ex.ErrorCode}".TrimEnd());
        }
        catch (AuthenticationFailedException)
        {
            return HealthResult.Down("Could not obtain a token for Key Vault.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthResult.Down($"Key Vault did not answer within {_healthCheckTimeout.TotalSeconds:0.#} s.");
        }
        catch (AggregateException ex) when (FirstRequestFailure(ex) is { } failure)
        {
            // The SDK gives up after its retries with an AggregateException of the individual failures.
            return HealthResult.Down($"Key Vault unreachable: {failure.InnerException?.Message ?? failure.Message}");
        }
    }

    public void Dispose() => _ownedTransport?.Dispose();

    /// <summary>
    /// A name that was deleted but could not be purged (purge protection, or no purge permission) blocks reuse with
    /// 409 ObjectIsDeletedButRecoverable. Recovering it and writing a new version on top is what an operator would do.
    /// </summary>
    private async Task SetRecoveringDeletedAsync(KeyVaultSecret secret, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _client.SetSecretAsync(secret, cancellationToken);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 409 && HasInnerCode(ex, "ObjectIsDeletedButRecoverable") && attempt == 1)
            {
                _logger.LogWarning("Secret {SecretName} is soft-deleted; recovering it before writing a new version", secret.Name);
                var recovery = await _client.StartRecoverDeletedSecretAsync(secret.Name, cancellationToken);
                await recovery.WaitForCompletionAsync(cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 409 && HasInnerCode(ex, "ObjectIsBeingDeleted") && attempt < DeletionInProgressAttempts)
            {
                await Task.Delay(DeletionInProgressDelay, cancellationToken);
            }
        }
    }

    private async Task PurgeIfAllowedAsync(string vaultName, CancellationToken cancellationToken)
    {
        try
        {
            await _client.PurgeDeletedSecretAsync(vaultName, cancellationToken);
            _logger.LogInformation("Deleted and purged secret {SecretName}", vaultName);
        }
        catch (RequestFailedException ex) when (ex.Status == 403)
        {
            // Purge protection or no purge permission: the secret stays soft-deleted until retention ends.
            _logger.LogInformation("Deleted secret {SecretName}; purge not permitted, it stays soft-deleted", vaultName);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Nothing soft-deleted under that name (never existed, or the vault has no soft delete).
        }
    }

    /// <summary>Turns SDK and credential failures into <see cref="SecretStoreException"/>s that name the secret, never its value.</summary>
    private async Task CallVaultAsync(string operation, string vaultName, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (RequestFailedException ex)
        {
            throw Failure(operation, vaultName, ex);
        }
        catch (AggregateException ex) when (FirstRequestFailure(ex) is { } failure)
        {
            // Retries exhausted (e.g. connection or TLS failures): the SDK aggregates the attempts.
            throw Failure(operation, vaultName, failure, ex);
        }
        catch (AuthenticationFailedException ex)
        {
            throw CredentialFailure(operation, vaultName, ex);
        }
    }

    private static RequestFailedException? FirstRequestFailure(AggregateException ex) =>
        ex.InnerExceptions.OfType<RequestFailedException>().FirstOrDefault();

    private static bool HasInnerCode(RequestFailedException ex, string code) =>
        ex.GetRawResponse()?.Content?.ToString().Contains(code, StringComparison.Ordinal) == true
        || ex.Message.Contains(code, StringComparison.Ordinal);

    private SecretStoreException Failure(string operation, string vaultName, RequestFailedException ex, Exception? outer = null)
    {
        var hint = ex.Status switch
        {
            401 => " The vault rejected our credential: check the identity and the tenant.",
            403 => " The identity lacks permission on this vault (e.g. Key Vault Secrets Officer), or the secret is disabled.",
            409 => " The name is blocked by a deleted secret or a concurrent change.",
            429 => " Key Vault is throttling requests.",
            _ => "",
        };
        if (ex.Status == 0)
        {
            _logger.LogWarning("Key Vault unreachable while trying to {Operation} secret {SecretName}", operation, vaultName);
            return new SecretStoreException(
                $"Key Vault could not be reached to {operation} secret '{vaultName}': {ex.InnerException?.Message ?? ex.Message}", 503, "ServiceUnreachable", outer ?? ex);
        }
        _logger.LogWarning("Key Vault refused to {Operation} secret {SecretName}: {Status} {ErrorCode}", operation, vaultName, ex.Status, ex.ErrorCode);
        return new SecretStoreException(
            $"Key Vault could not {operation} secret '{vaultName}' ({ex.Status} {ex.ErrorCode}).{hint}", ex.Status, ex.ErrorCode, outer ?? ex);
    }

    private SecretStoreException CredentialFailure(string operation, string vaultName, AuthenticationFailedException ex)
    {
        _logger.LogWarning("No token for Key Vault while trying to {Operation} secret {SecretName}", operation, vaultName);
        return new SecretStoreException(
            $"Key Vault could not {operation} secret '{vaultName}': no token could be obtained for the vault. {ex.Message}", 401, "CredentialUnavailable", ex);
    }
}
